"""Mutation resolvers: translate GraphQL input into one service call each."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from ariadne import MutationType

from dataflare.access.service import require_edit_incidents
from dataflare.graphql.context import Info
from dataflare.incidents import service

mutation = MutationType()

# GraphQL input field -> service field, for updateIncident
_UPDATE_FIELDS = {
    "title": "title",
    "description": "description",
    "startedAt": "started_at",
    "type": "incident_type",
    "customType": "custom_type",
    "priority": "priority",
    "resourceUrns": "resource_urns",
    "assigneeUrns": "assignee_urns",
    "status": "status",
}


def atomic(resolver: Callable[..., Any]) -> Callable[..., Any]:
    """Make a mutation that fails leave nothing written: a savepoint when the document holds
    several mutations; otherwise the endpoint rolls the whole request back."""

    @wraps(resolver)
    def wrapper(obj: Any, info: Info, **kwargs: Any) -> Any:
        if not info.context.isolate_mutations:
            return resolver(obj, info, **kwargs)
        with info.context.session.begin_nested():
            return resolver(obj, info, **kwargs)

    return wrapper


def _require_edit(info: Info, incident_urn: str | None, asset_urns: list[str]) -> None:
    """Only users allowed to edit incidents on these assets (and on the incident's current
    ones) get past this; the others get a 403 before anything is written."""
    assets = list(asset_urns)
    if incident_urn is not None:
        incident = service.get_incident(info.context.session, incident_urn)
        assets += [link.asset.urn for link in incident.assets] if incident else []
    require_edit_incidents(info.context.session, info.context.user, assets)


@mutation.field("raiseIncident")
@atomic
def resolve_raise_incident(_: Any, info: Info, input: dict[str, Any]) -> str:
    named = [input["resourceUrn"]] if input.get("resourceUrn") else []
    _require_edit(info, None, named + (input.get("resourceUrns") or []))
    status = input.get("status") or {}
    request = service.RaiseRequest(
        type=input["type"],
        resource_urn=input.get("resourceUrn"),
        resource_urns=input.get("resourceUrns"),
        custom_type=input.get("customType"),
        title=input.get("title"),
        description=input.get("description"),
        source_type=(input.get("source") or {}).get("type"),
        state=status.get("state"),
        stage=status.get("stage"),
        message=status.get("message"),
        priority=input.get("priority"),
        assignee_urns=input.get("assigneeUrns"),
        started_at=input.get("startedAt"),
        incident_id=input.get("id"),
        dedup_key=input.get("dedupKey"),
    )
    return service.raise_incident(info.context.session, info.context.actor, request)


@mutation.field("resolveIncidentByDedupKey")
@atomic
def resolve_resolve_by_dedup_key(
    _: Any, info: Info, resourceUrn: str, dedupKey: str, message: str | None = None
) -> str | None:
    session = info.context.session
    found = service.find_active_by_dedup_key(session, resourceUrn, dedupKey)
    _require_edit(info, found, [resourceUrn])
    return service.resolve_by_dedup_key(session, info.context.actor, resourceUrn, dedupKey, message)


@mutation.field("updateIncidentStatus")
@atomic
def resolve_update_incident_status(
    _: Any,
    info: Info,
    urn: str,
    input: dict[str, Any],
) -> str:
    _require_edit(info, urn, [])
    service.update_status(
        info.context.session,
        info.context.actor,
        urn,
        input["state"],
        input.get("stage"),
        input.get("message"),
    )
    return "true"


@mutation.field("updateIncident")
@atomic
def resolve_update_incident(
    _: Any,
    info: Info,
    urn: str,
    input: dict[str, Any],
) -> bool:
    _require_edit(info, urn, input.get("resourceUrns") or [])
    changes = {ours: input[theirs] for theirs, ours in _UPDATE_FIELDS.items() if theirs in input}
    service.update_incident(info.context.session, info.context.actor, urn, changes)
    return True
