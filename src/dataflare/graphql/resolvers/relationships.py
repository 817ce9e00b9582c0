"""What DataHub's clients ask of an entity beyond Dataflare's own fields: `relationships` (the
graph GMS's `/relationships` reads), `privileges`, `siblings` and `siblingsSearch` (none kept),
and an incident's `tags`."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from dataflare.access.service import may_edit_incidents
from dataflare.catalog.queries import AssetView, views_by_urn
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_LABEL_CHARS
from dataflare.core.urns import ACTOR_KINDS, ActorRef, entity_type_of
from dataflare.graphql.asset_sdl import GRAPHQL_TYPE_OF_KIND
from dataflare.graphql.context import Info
from dataflare.graphql.limits import in_a_list, page_size
from dataflare.incidents import queries as incidents
from dataflare.incidents.graph import related_page
from dataflare.incidents.queries import IncidentView

DEFAULT_COUNT = 100
MAX_TYPES = 20


def resolve_relationships(entity: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    types = input["types"]
    if not types or len(types) > MAX_TYPES or any(len(t) > MAX_LABEL_CHARS for t in types):
        raise InvalidInput(
            f"input.types: from 1 to {MAX_TYPES} relationship types are required, e.g. "
            "DownstreamOf, OwnedBy, IncidentOn."
        )
    start = input.get("start") or 0
    requested = DEFAULT_COUNT if input.get("count") is None else input["count"]
    if start < 0 or requested < 0:
        raise InvalidInput("input: start and count must be >= 0.")
    count = page_size(requested, "EntityRelationshipsResult", in_a_list(info.path))
    direction = input["direction"]
    session = info.context.session
    total, rows = related_page(session, entity.urn, direction, types, start, count)
    related = _entities(info, [urn for urn, _ in rows])
    return {
        "start": start,
        "count": len(rows),
        "total": total,
        "relationships": [
            {"type": kind, "direction": direction, "entity": related.get(urn), "created": None}
            for urn, kind in rows
        ],
    }


def _entities(info: Info, urns: list[str]) -> dict[str, Any]:
    """The related entities, read a kind at a time."""
    connection = info.context.session.connection()
    assets = views_by_urn(info.context.session, [u for u in urns if _is_asset(u)])
    found = incidents.by_urns(connection, [u for u in urns if entity_type_of(u) == "incident"])
    info.context.loader.saw_assets(assets.values())
    info.context.loader.saw_incidents(found.values())
    people = {u: ActorRef(u) for u in urns if entity_type_of(u) in ACTOR_KINDS}
    return {**assets, **found, **people}


def _is_asset(urn: str) -> bool:
    return entity_type_of(urn) in GRAPHQL_TYPE_OF_KIND


def resolve_privileges(asset: AssetView, info: Info) -> dict[str, bool]:
    owners = (
        {o.owner_urn for o in info.context.loader.owners.get(asset.id)}
        if asset.id is not None
        else set()
    )
    return {"canEditIncidents": may_edit_incidents(info.context.user, {asset.urn: owners})}


def resolve_nothing(*_: Any, **__: Any) -> None:
    return None


def resolve_incident_tags(incident: IncidentView, info: Info) -> dict[str, Any] | None:
    tags = info.context.loader.incident_tags.get(incident.urn)
    if tags is None:
        return None
    return {
        "tags": [
            {
                "tag": {"urn": t, "type": "TAG", "name": t.split(":", 3)[3], "properties": None},
                "associatedUrn": incident.urn,
            }
            for t in tags
        ]
    }


def relationship_types() -> list[ObjectType]:
    made = []
    for name in GRAPHQL_TYPE_OF_KIND.values():
        asset = ObjectType(name)
        asset.set_field("relationships", resolve_relationships)
        asset.set_field("privileges", resolve_privileges)
        asset.set_field("siblings", resolve_nothing)
        asset.set_field("siblingsSearch", resolve_nothing)
        made.append(asset)
    for name in ("Incident", "CorpUser", "CorpGroup"):
        other = ObjectType(name)
        other.set_field("relationships", resolve_relationships)
        made.append(other)
    incident = made[-3]
    incident.set_field("tags", resolve_incident_tags)
    return made
