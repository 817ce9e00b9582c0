"""Resolvers of the Incident type and its parts."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from dataflare.catalog.queries import AssetView
from dataflare.core.urns import ActorRef
from dataflare.core.vocabulary import NUMBER_TO_PRIORITY
from dataflare.graphql.context import Info
from dataflare.graphql.resolvers.assertions import resolve_incident_source
from dataflare.incidents.models import IncidentActivity
from dataflare.incidents.queries import IncidentView

incident_type = ObjectType("Incident")
activity_type = ObjectType("IncidentActivity")


def _status(incident: IncidentView, *_: Any) -> dict[str, Any]:
    return {
        "state": incident.state,
        "stage": incident.stage,
        "message": incident.status_message,
        "lastUpdated": {"time": incident.status_updated_at, "actor": incident.status_updated_by},
    }


incident_type.set_field("status", _status)
incident_type.set_field("incidentStatus", _status)
incident_type.set_field("source", resolve_incident_source)


@incident_type.field("type")
def resolve_type(*_: Any) -> str:
    return "INCIDENT"


@incident_type.field("incidentType")
def resolve_incident_type(incident: IncidentView, *_: Any) -> str:
    return incident.incident_type


@incident_type.field("customType")
def resolve_custom_type(incident: IncidentView, *_: Any) -> str | None:
    return incident.custom_type


@incident_type.field("dedupKey")
def resolve_dedup_key(incident: IncidentView, *_: Any) -> str | None:
    return incident.dedup_key


@incident_type.field("priority")
def resolve_priority(incident: IncidentView, *_: Any) -> str | None:
    return None if incident.priority is None else NUMBER_TO_PRIORITY[incident.priority]


@incident_type.field("assignees")
def resolve_assignees(incident: IncidentView, info: Info) -> list[ActorRef]:
    return [ActorRef(u) for u in info.context.loader.assignees.get(incident.id)]


@incident_type.field("entity")
def resolve_entity(incident: IncidentView, info: Info) -> AssetView:
    return info.context.loader.incident_assets.get(incident.id)[0]


@incident_type.field("entities")
def resolve_entities(incident: IncidentView, info: Info) -> list[AssetView]:
    return info.context.loader.incident_assets.get(incident.id)


@incident_type.field("startedAt")
def resolve_started_at(incident: IncidentView, *_: Any) -> int:
    return incident.started_at


@incident_type.field("created")
def resolve_created(incident: IncidentView, *_: Any) -> dict[str, Any]:
    return {"time": incident.created_at, "actor": incident.created_by}


@incident_type.field("activity")
def resolve_activity(incident: IncidentView, info: Info) -> list[IncidentActivity]:
    return info.context.loader.activity.get(incident.id)


activity_type.set_alias("time", "at")
activity_type.set_alias("message", "message")
activity_type.set_alias("actor", "actor")
activity_type.set_alias("kind", "kind")


@activity_type.field("previousValue")
def resolve_previous(entry: IncidentActivity, *_: Any) -> str | None:
    return entry.old_value


@activity_type.field("newValue")
def resolve_new(entry: IncidentActivity, *_: Any) -> str | None:
    return entry.new_value


@activity_type.field("via")
def resolve_via(entry: IncidentActivity, *_: Any) -> str | None:
    return entry.via.upper() if entry.via else None
