"""Parse and format URNs (`urn:li:<entityType>:<key>`); the asset kinds incidents attach to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache

from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_PLATFORM_CHARS, MAX_URN_CHARS
from dataflare.core.text import check_chars

PREFIX = "urn:li:"

# entityType in the URN -> the GraphQL EntityType of the asset
ASSET_KINDS: dict[str, str] = {
    "dataset": "DATASET",
    "chart": "CHART",
    "dashboard": "DASHBOARD",
    "dataFlow": "DATA_FLOW",
    "dataJob": "DATA_JOB",
    "mlModel": "MLMODEL",
    "mlModelGroup": "MLMODEL_GROUP",
    "mlFeature": "MLFEATURE",
    "mlFeatureTable": "MLFEATURE_TABLE",
    "schemaField": "SCHEMA_FIELD",
}
ACCEPTED_KINDS_TEXT = ", ".join(ASSET_KINDS)
ACTOR_KINDS = ("corpuser", "corpGroup")


@dataclass(frozen=True)
class AssetRef:
    """A parsed asset URN: what the server registers when it first sees one."""

    urn: str
    kind: str  # one of ASSET_KINDS
    platform: str
    name: str


def entity_type_of(urn: str) -> str | None:
    """The `<entityType>` part of a URN, or None when it is not a `urn:li:` URN at all."""
    if not urn.startswith(PREFIX):
        return None
    entity_type, sep, key = urn[len(PREFIX) :].partition(":")
    return entity_type if sep and entity_type and key else None


def split_tuple(key: str) -> list[str] | None:
    """Split `(a,b,(c,d))` at its top-level commas; None when the parentheses do not balance."""
    if len(key) < 2 or key[0] != "(" or key[-1] != ")":
        return None
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in key[1:-1]:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth != 0:
        return None
    parts.append("".join(current))
    return parts


def check_urn(urn: str) -> str:
    """Any URN that is stored: valid text, at most MAX_URN_CHARS (as DataHub)."""
    check_chars(urn, "URN")
    if len(urn) > MAX_URN_CHARS:
        raise InvalidInput(
            f"URN '{urn[:50]}...' is {len(urn)} characters long; the limit is {MAX_URN_CHARS}."
        )
    return urn


def _malformed(urn: str, expected: str) -> InvalidInput:
    return InvalidInput(f"Malformed URN '{urn}': expected {expected}.")


def _platform_of(platform_urn: str, urn: str) -> str:
    platform_prefix = PREFIX + "dataPlatform:"
    platform = (
        platform_urn[len(platform_prefix) :] if platform_urn.startswith(platform_prefix) else ""
    )
    if not platform:
        raise _malformed(urn, "a platform URN like urn:li:dataPlatform:kafka as the first part")
    if len(platform) > MAX_PLATFORM_CHARS:
        raise _malformed(urn, f"a platform name of at most {MAX_PLATFORM_CHARS} characters")
    return platform


_SHAPES = {
    "dataset": "urn:li:dataset:(urn:li:dataPlatform:<platform>,<name>,<ENV>)",
    "chart": "urn:li:chart:(<tool>,<id>)",
    "dashboard": "urn:li:dashboard:(<tool>,<id>)",
    "dataFlow": "urn:li:dataFlow:(<orchestrator>,<flowId>,<cluster>)",
    "dataJob": "urn:li:dataJob:(<dataFlow urn>,<jobId>)",
    "mlModel": "urn:li:mlModel:(urn:li:dataPlatform:<platform>,<name>,<ENV>)",
    "mlModelGroup": "urn:li:mlModelGroup:(urn:li:dataPlatform:<platform>,<name>,<ENV>)",
    "mlFeature": "urn:li:mlFeature:(<featureNamespace>,<name>)",
    "mlFeatureTable": "urn:li:mlFeatureTable:(urn:li:dataPlatform:<platform>,<name>)",
    "schemaField": "urn:li:schemaField:(<dataset urn>,<fieldPath>)",
}
# The parts of each kind's key, and the kinds whose first part is a platform URN.
_PARTS = {
    "dataset": 3,
    "chart": 2,
    "dashboard": 2,
    "dataFlow": 3,
    "dataJob": 2,
    "mlModel": 3,
    "mlModelGroup": 3,
    "mlFeature": 2,
    "mlFeatureTable": 2,
    "schemaField": 2,
}
_ON_A_PLATFORM = ("dataset", "mlModel", "mlModelGroup", "mlFeatureTable")
_WITHIN = {"dataJob": "dataFlow", "schemaField": "dataset"}  # kind -> the kind its key starts with
# An ML feature's key names no platform: its namespace stands in for one (a feature store's
# project), so that search and figures can group features.


# Automation raises on the same few assets again and again; a parse is worth remembering.
@lru_cache(maxsize=4096)
def parse_asset(urn: str) -> AssetRef:
    """Parse an asset URN of one of the asset kinds, or raise InvalidInput naming what is wrong."""
    check_urn(urn)
    kind = entity_type_of(urn)
    if kind not in ASSET_KINDS:
        raise InvalidInput(
            f"Unsupported resource URN '{urn}': incidents can be raised on {ACCEPTED_KINDS_TEXT} "
            "(e.g. urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD))."
        )
    key = urn[len(PREFIX) + len(kind) + 1 :]
    parts = split_tuple(key)
    shape = _SHAPES[kind]
    if parts is None or len(parts) != _PARTS[kind] or not all(p.strip() for p in parts):
        raise _malformed(urn, shape)
    if kind in _ON_A_PLATFORM:
        return AssetRef(urn, kind, _platform_of(parts[0], urn), parts[1])
    if kind != "dataJob" and len(parts[0]) > MAX_PLATFORM_CHARS:
        raise _malformed(urn, f"a tool name of at most {MAX_PLATFORM_CHARS} characters")
    if kind in _WITHIN:  # a job of its flow, a column of its dataset
        parent = parse_asset(parts[0]) if entity_type_of(parts[0]) == _WITHIN[kind] else None
        if parent is None:
            raise _malformed(urn, shape)
        return AssetRef(urn, kind, parent.platform, parts[1])
    return AssetRef(urn, kind, parts[0], parts[1])


def dataset_of_column(ref: AssetRef) -> str | None:
    """The URN of the dataset a column (a schemaField) belongs to; None for other assets."""
    if ref.kind != "schemaField":
        return None
    parts = split_tuple(ref.urn[len(PREFIX) + len("schemaField") + 1 :])
    return parts[0] if parts else None


def parse_actor(urn: str) -> str:
    """Check a user or group URN (an assignee); return it unchanged."""
    check_urn(urn)
    if entity_type_of(urn) not in ACTOR_KINDS:
        raise InvalidInput(
            f"Invalid assignee URN '{urn}': expected urn:li:corpuser:<name> or "
            "urn:li:corpGroup:<name>."
        )
    return urn


def user_urn(name: str) -> str:
    return f"{PREFIX}corpuser:{name}"


def incident_urn(incident_id: str | None = None) -> str:
    return f"{PREFIX}incident:{incident_id or uuid.uuid4()}"


@dataclass(frozen=True)
class ActorRef:
    """A user or group, as an assignee or an owner."""

    urn: str

    @property
    def is_group(self) -> bool:
        return entity_type_of(self.urn) == "corpGroup"

    @property
    def name(self) -> str:
        return self.urn.split(":", 3)[3]
