"""Resolvers for what the catalog knows: properties, owners, lineage, people and groups."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from dataflare.catalog import lineage
from dataflare.catalog.queries import AssetView
from dataflare.core.errors import InvalidInput
from dataflare.core.urns import ActorRef
from dataflare.graphql.asset_sdl import GRAPHQL_TYPE_OF_KIND
from dataflare.graphql.context import Info
from dataflare.graphql.limits import in_a_list, page_size

OWNERSHIP_TYPES = {
    "TECHNICAL_OWNER",
    "BUSINESS_OWNER",
    "DATA_STEWARD",
    "NONE",
    "CUSTOM",
    "DATAOWNER",
    "PRODUCER",
    "DEVELOPER",
    "CONSUMER",
    "DELEGATE",
    "STAKEHOLDER",
}
RELATIONSHIP = {lineage.UPSTREAM: "DownstreamOf", lineage.DOWNSTREAM: "Consumes"}


def resolve_properties(asset: AssetView, *_: Any) -> dict[str, Any]:
    return {"name": asset.name, "description": asset.description}


def resolve_status(asset: AssetView, *_: Any) -> dict[str, Any]:
    return {"removed": asset.removed}


def resolve_ownership(asset: AssetView, info: Info) -> dict[str, Any] | None:
    if not asset.exists:
        return None
    assert asset.id is not None  # registered
    owners = info.context.loader.owners.get(asset.id)
    return {
        "owners": [
            {
                "owner": ActorRef(o.owner_urn),
                "type": o.type if o.type in OWNERSHIP_TYPES else "CUSTOM",
            }
            for o in owners
        ]
    }


def resolve_lineage(asset: AssetView, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    start, count = input.get("start") or 0, input.get("count")
    count = page_size(100 if count is None else count, "EntityLineageResult", in_a_list(info.path))
    if start < 0 or count < 0:
        raise InvalidInput(f"lineage: start and count must not be negative (got {start}, {count}).")
    direction = input["direction"]
    related = lineage.neighbours(info.context.session, asset.urn, direction)
    page = [AssetView.of(a) for a in related[start : start + count]]
    info.context.loader.saw_assets(page)
    return {
        "start": start,
        "count": len(page),
        "total": len(related),
        "relationships": [
            {"type": RELATIONSHIP[direction], "entity": a, "degree": 1} for a in page
        ],
    }


def _actor_fields(actor: ActorRef, info: Info, *names: str) -> dict[str, Any] | None:
    row = info.context.loader.actors.get(actor.urn)
    if row is None:
        return None
    return {name: getattr(row, column) for name, column in names_to_columns(names).items()}


def names_to_columns(names: tuple[str, ...]) -> dict[str, str]:
    columns = {"displayName": "display_name", "email": "email", "slack": "slack", "title": "title"}
    return {name: columns[name] for name in names}


def catalog_types() -> list[ObjectType]:
    types = []
    for graphql_name in GRAPHQL_TYPE_OF_KIND.values():
        object_type = ObjectType(graphql_name)
        object_type.set_field("properties", resolve_properties)
        object_type.set_field("status", resolve_status)
        object_type.set_field("ownership", resolve_ownership)
        object_type.set_field("lineage", resolve_lineage)
        types.append(object_type)
    user, group = ObjectType("CorpUser"), ObjectType("CorpGroup")
    user.set_field(
        "properties", lambda a, info: _actor_fields(a, info, "displayName", "email", "title")
    )
    user.set_field(
        "editableProperties",
        lambda a, info: _actor_fields(a, info, "displayName", "slack", "email", "title"),
    )
    group.set_field(
        "properties", lambda a, info: _actor_fields(a, info, "displayName", "email", "slack")
    )
    return [*types, user, group]
