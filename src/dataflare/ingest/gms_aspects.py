"""An entity's aspects as GMS serves them: its key aspect (from the URN), the aspects kept as
they were sent (catalog/stored_aspects.py), and what Dataflare holds in its own tables: an
incident's `incidentInfo`, a removed asset's `status`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dataflare.access.users import get_user
from dataflare.catalog import service as catalog
from dataflare.catalog import stored_aspects
from dataflare.core.urns import ASSET_KINDS, entity_type_of
from dataflare.incidents import queries as incidents
from dataflare.ingest.gms_keys import key_aspect

SYSTEM_ACTOR = "urn:li:corpuser:__datahub_system"  # who GMS names for what nobody sent

# aspect name -> the fully qualified name of its class, as GET /aspects answers it
CLASS_NAMES = {
    "datasetKey": "com.linkedin.metadata.key.DatasetKey",
    "chartKey": "com.linkedin.metadata.key.ChartKey",
    "dashboardKey": "com.linkedin.metadata.key.DashboardKey",
    "dataFlowKey": "com.linkedin.metadata.key.DataFlowKey",
    "dataJobKey": "com.linkedin.metadata.key.DataJobKey",
    "mlModelKey": "com.linkedin.metadata.key.MLModelKey",
    "mlModelGroupKey": "com.linkedin.metadata.key.MLModelGroupKey",
    "mlFeatureKey": "com.linkedin.metadata.key.MLFeatureKey",
    "mlFeatureTableKey": "com.linkedin.metadata.key.MLFeatureTableKey",
    "schemaFieldKey": "com.linkedin.metadata.key.SchemaFieldKey",
    "corpUserKey": "com.linkedin.metadata.key.CorpUserKey",
    "corpGroupKey": "com.linkedin.metadata.key.CorpGroupKey",
    "incidentKey": "com.linkedin.metadata.key.IncidentKey",
    "datasetProperties": "com.linkedin.dataset.DatasetProperties",
    "editableDatasetProperties": "com.linkedin.dataset.EditableDatasetProperties",
    "upstreamLineage": "com.linkedin.dataset.UpstreamLineage",
    "chartInfo": "com.linkedin.chart.ChartInfo",
    "editableChartProperties": "com.linkedin.chart.EditableChartProperties",
    "dashboardInfo": "com.linkedin.dashboard.DashboardInfo",
    "editableDashboardProperties": "com.linkedin.dashboard.EditableDashboardProperties",
    "dataFlowInfo": "com.linkedin.datajob.DataFlowInfo",
    "editableDataFlowProperties": "com.linkedin.datajob.EditableDataFlowProperties",
    "dataJobInfo": "com.linkedin.datajob.DataJobInfo",
    "editableDataJobProperties": "com.linkedin.datajob.EditableDataJobProperties",
    "dataJobInputOutput": "com.linkedin.datajob.DataJobInputOutput",
    "mlModelProperties": "com.linkedin.ml.metadata.MLModelProperties",
    "mlModelGroupProperties": "com.linkedin.ml.metadata.MLModelGroupProperties",
    "mlFeatureProperties": "com.linkedin.ml.metadata.MLFeatureProperties",
    "mlFeatureTableProperties": "com.linkedin.ml.metadata.MLFeatureTableProperties",
    "editableMlModelProperties": "com.linkedin.ml.metadata.EditableMLModelProperties",
    "editableMlModelGroupProperties": "com.linkedin.ml.metadata.EditableMLModelGroupProperties",
    "editableMlFeatureProperties": "com.linkedin.ml.metadata.EditableMLFeatureProperties",
    "editableMlFeatureTableProperties": "com.linkedin.ml.metadata.EditableMLFeatureTableProperties",
    "globalTags": "com.linkedin.common.GlobalTags",
    "schemafieldInfo": "com.linkedin.schemafield.SchemaFieldInfo",
    "status": "com.linkedin.common.Status",
    "ownership": "com.linkedin.common.Ownership",
    "corpUserInfo": "com.linkedin.identity.CorpUserInfo",
    "corpUserEditableInfo": "com.linkedin.identity.CorpUserEditableInfo",
    "corpGroupInfo": "com.linkedin.identity.CorpGroupInfo",
    "corpGroupEditableInfo": "com.linkedin.identity.CorpGroupEditableInfo",
    "incidentInfo": "com.linkedin.incident.IncidentInfo",
}


@dataclass(frozen=True)
class Aspect:
    name: str
    value: dict[str, Any]
    created_at: int
    created_by: str


@dataclass(frozen=True)
class Entity:
    urn: str
    entity_type: str
    known: bool  # Dataflare holds it (an unknown one has its key aspect alone)
    aspects: dict[str, Aspect]


def read_entity(session: Session, urn: str, names: Collection[str] | None = None) -> Entity | None:
    """The entity's aspects (those named, or all); None when the URN is not of a kind
    Dataflare keeps, or its key is malformed."""
    key = key_aspect(urn)
    entity_type = entity_type_of(urn)
    if key is None or entity_type is None:
        return None
    wanted = None if names is None else set(names)
    key_name, key_value = key
    if entity_type == "incident":
        found = _incident(session, urn)
    elif entity_type in ASSET_KINDS:
        found = _asset(session, urn, wanted)
    else:
        found = _actor(session, urn, entity_type, wanted)
    if found is None:
        return Entity(urn, entity_type, False, {key_name: Aspect(key_name, key_value, 0, "")})
    created, aspects = found
    aspects[key_name] = Aspect(key_name, key_value, created, SYSTEM_ACTOR)
    if wanted is not None:
        aspects = {n: a for n, a in aspects.items() if n in wanted or n == key_name}
    return Entity(urn, entity_type, True, dict(sorted(aspects.items())))


def _kept(session: Session, urn: str, wanted: set[str] | None) -> dict[str, Aspect]:
    return {
        name: Aspect(name, k.value, k.created_at, k.created_by)
        for name, k in stored_aspects.kept(session, urn, wanted).items()
    }


def _asset(
    session: Session, urn: str, wanted: set[str] | None
) -> tuple[int, dict[str, Aspect]] | None:
    asset = catalog.get_asset(session, urn)
    if asset is None or asset.deleted_at is not None:  # hard-deleted: gone, as in DataHub
        return None
    aspects = _kept(session, urn, wanted)
    if asset.removed and "status" not in aspects:  # deleted through /entities?action=delete
        aspects["status"] = Aspect("status", {"removed": True}, asset.created_at, SYSTEM_ACTOR)
    return asset.created_at, aspects


def _actor(
    session: Session, urn: str, entity_type: str, wanted: set[str] | None
) -> tuple[int, dict[str, Aspect]] | None:
    aspects = _kept(session, urn, wanted)
    described = bool(aspects) or bool(catalog.actors_by_urn(session, [urn]))
    user = get_user(session, urn.split(":", 3)[3]) if entity_type == "corpuser" else None
    if not described and user is None:
        return None
    return (user.created_at if user is not None else 0), aspects


def _incident(session: Session, urn: str) -> tuple[int, dict[str, Aspect]] | None:
    connection = session.connection()
    view = incidents.by_urn(connection, urn)
    if view is None:
        return None
    assets = incidents.assets_of(connection, view.id)
    assignments = incidents.assignments_of(connection, view.id)
    created = {"time": view.created_at, "actor": view.created_by}
    info: dict[str, Any] = {
        "type": view.incident_type,
        "entities": [a.urn for a in assets],
        "status": {
            "state": view.state,
            "lastUpdated": {"time": view.status_updated_at, "actor": view.status_updated_by},
        },
        "source": {"type": view.source_type},
        "startedAt": view.started_at,
        "created": created,
        "assignees": [
            {"actor": a, "assignedAt": created if at is None else {"time": at, "actor": by}}
            for a, at, by in assignments
        ],
    }
    optional = {
        "customType": view.custom_type,
        "title": view.title,
        "description": view.description,
        "priority": view.priority,
    }
    info.update({k: v for k, v in optional.items() if v is not None})
    if view.source_urn is not None:
        info["source"]["sourceUrn"] = view.source_urn
    for field, value in (("stage", view.stage), ("message", view.status_message)):
        if value is not None:
            info["status"][field] = value
    aspects = {
        "incidentInfo": Aspect("incidentInfo", info, view.updated_at, view.status_updated_by)
    }
    if view.removed:
        removed = {"removed": True}
        aspects["status"] = Aspect("status", removed, view.updated_at, SYSTEM_ACTOR)
    return view.created_at, aspects
