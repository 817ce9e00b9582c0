"""Each entity's key aspect, as GMS answers it: the parts of its URN, named."""

from __future__ import annotations

from typing import Any

from dataflare.core.urns import PREFIX, entity_type_of, split_tuple

# entity type -> (key aspect, the names of the URN's parts, in order)
KEY_ASPECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dataset": ("datasetKey", ("platform", "name", "origin")),
    "chart": ("chartKey", ("dashboardTool", "chartId")),
    "dashboard": ("dashboardKey", ("dashboardTool", "dashboardId")),
    "dataFlow": ("dataFlowKey", ("orchestrator", "flowId", "cluster")),
    "dataJob": ("dataJobKey", ("flow", "jobId")),
    "mlModel": ("mlModelKey", ("platform", "name", "origin")),
    "mlModelGroup": ("mlModelGroupKey", ("platform", "name", "origin")),
    "mlFeature": ("mlFeatureKey", ("featureNamespace", "name")),
    "mlFeatureTable": ("mlFeatureTableKey", ("platform", "name")),
    "schemaField": ("schemaFieldKey", ("parent", "fieldPath")),
    "corpuser": ("corpUserKey", ("username",)),
    "corpGroup": ("corpGroupKey", ("name",)),
    "incident": ("incidentKey", ("id",)),
}


def key_aspect(urn: str) -> tuple[str, dict[str, Any]] | None:
    """(name, value) of the URN's key aspect; None for a kind Dataflare does not keep, or a
    URN whose key does not have the parts of its kind."""
    entity_type = entity_type_of(urn)
    if entity_type not in KEY_ASPECTS:
        return None
    name, fields = KEY_ASPECTS[entity_type]
    key = urn[len(PREFIX) + len(entity_type) + 1 :]
    parts = [key] if len(fields) == 1 else split_tuple(key)
    if parts is None or len(parts) != len(fields):
        return None
    return name, dict(zip(fields, parts, strict=True))
