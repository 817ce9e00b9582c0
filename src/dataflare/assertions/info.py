"""Reading an `assertionInfo` aspect: its type, the asset and fields it checks, its text. The
aspect is kept whole (as JSON, bounded) for the API to show its sub-records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_ASSERTION_INFO_BYTES, MAX_DESCRIPTION_BYTES
from dataflare.core.text import check_bytes
from dataflare.core.urns import ASSET_KINDS, entity_type_of

ASSERTION_TYPES = ("DATASET", "FRESHNESS", "VOLUME", "SQL", "FIELD", "DATA_SCHEMA", "CUSTOM")
# The sub-record each type fills, as AssertionInfo names it.
SUB_RECORDS = {
    "DATASET": "datasetAssertion",
    "FRESHNESS": "freshnessAssertion",
    "VOLUME": "volumeAssertion",
    "SQL": "sqlAssertion",
    "FIELD": "fieldAssertion",
    "DATA_SCHEMA": "schemaAssertion",
    "CUSTOM": "customAssertion",
}


@dataclass(frozen=True)
class AssertionFacts:
    type: str
    target_urn: str | None  # the entity checked, when the aspect names one
    description: str | None
    info_json: str


def read_info(aspect: dict[str, Any]) -> AssertionFacts:
    kind = aspect.get("type")
    if kind not in ASSERTION_TYPES:
        raise InvalidInput(
            f"aspect.type: one of {', '.join(ASSERTION_TYPES)} is required, not {kind!r}."
        )
    for name in SUB_RECORDS.values():
        if aspect.get(name) is not None and not isinstance(aspect[name], dict):
            raise InvalidInput(f"aspect.{name}: an object is required.")
    description = aspect.get("description")
    if description is not None:
        if not isinstance(description, str):
            raise InvalidInput("aspect.description: a string is required.")
        check_bytes(description, "aspect.description", MAX_DESCRIPTION_BYTES)
    info_json = json.dumps(aspect, separators=(",", ":"), ensure_ascii=False)
    check_bytes(info_json, "aspect", MAX_ASSERTION_INFO_BYTES)
    return AssertionFacts(kind, _target(aspect, kind), description, info_json)


def _target(aspect: dict[str, Any], kind: str) -> str | None:
    sub = aspect.get(SUB_RECORDS[kind]) or {}
    if kind == "DATASET":
        named = sub.get("dataset")
        if named is None and isinstance(sub.get("datasets"), list) and sub["datasets"]:
            named = sub["datasets"][0]  # the older form: a list of datasets
    else:
        named = sub.get("entity")
    if named is None:
        return None
    where = f"aspect.{SUB_RECORDS[kind]}.{'dataset' if kind == 'DATASET' else 'entity'}"
    if not isinstance(named, str):
        raise InvalidInput(f"{where}: a URN string is required.")
    return named


def asset_urn_of(urn: str | None) -> str | None:
    """The URN when it names an asset incidents can be raised on (else the check is kept
    without an asset, and raises nothing)."""
    if urn is None:
        return None
    if entity_type_of(urn) == "schemaField":  # a column: its dataset
        inner = urn[len("urn:li:schemaField:(") : -1]
        dataset, _, _ = inner.rpartition(",")
        return dataset if entity_type_of(dataset) == "dataset" else None
    return urn if entity_type_of(urn) in ASSET_KINDS else None


def fields_of(info: dict[str, Any]) -> list[str]:
    """The columns an assertion checks, as paths, for a reader (and notifications)."""
    kind = info.get("type")
    sub = info.get(SUB_RECORDS.get(str(kind), "")) or {}
    paths: list[str] = []
    if kind == "DATASET":
        for field in sub.get("fields") or sub.get("datasetFields") or []:
            if isinstance(field, str):
                paths.append(field_path(field))
    elif kind == "FIELD":
        for part in ("fieldValuesAssertion", "fieldMetricAssertion"):
            spec = (sub.get(part) or {}).get("field") or {}
            if isinstance(spec.get("path"), str):
                paths.append(spec["path"])
        if not paths and isinstance(sub.get("fieldPath"), str):
            paths.append(sub["fieldPath"])
    elif kind == "CUSTOM" and isinstance(sub.get("field"), str):
        paths.append(field_path(sub["field"]))
    return paths


def field_path(schema_field_urn: str) -> str:
    """`urn:li:schemaField:(<dataset urn>,<path>)` -> path (the URN itself when not one)."""
    if not schema_field_urn.startswith("urn:li:schemaField:(") or not schema_field_urn.endswith(
        ")"
    ):
        return schema_field_urn
    return schema_field_urn[len("urn:li:schemaField:(") : -1].rpartition(",")[2]
