"""DataHub-style search filters (fields, conditions, negation) as SQL conditions on assets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, and_, func, literal_column, not_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from dataflare.catalog.models import Asset, AssetOwner
from dataflare.core.errors import InvalidInput
from dataflare.core.urns import ASSET_KINDS, PREFIX

KIND_OF_ENTITY_TYPE = {entity_type: kind for kind, entity_type in ASSET_KINDS.items()}
# DataHub's other entity types (graphql/schema/entity_types.graphql): a search for them is a
# fair question whose answer is nothing, not an error.
NOT_HELD_ENTITY_TYPES = frozenset(
    [
        "DOMAIN",
        "ER_MODEL_RELATIONSHIP",
        "NOTEBOOK",
        "TAG",
        "GLOSSARY_TERM",
        "GLOSSARY_NODE",
        "CONTAINER",
        "MLPRIMARY_KEY",
        "INGESTION_SOURCE",
        "EXECUTION_REQUEST",
        "DATA_PROCESS_INSTANCE",
        "DATA_PLATFORM_INSTANCE",
        "TEST",
        "DATAHUB_POLICY",
        "DATAHUB_ROLE",
        "POST",
        "DATAHUB_VIEW",
        "QUERY",
        "DATA_PRODUCT",
        "CUSTOM_OWNERSHIP_TYPE",
        "DATAHUB_CONNECTION",
        "ROLE",
        "DATA_CONTRACT",
        "STRUCTURED_PROPERTY",
        "FORM",
        "DATA_TYPE",
        "ENTITY_TYPE",
        "RESTRICTED",
        "OTHER",
        "BUSINESS_ATTRIBUTE",
        "VERSION_SET",
        "APPLICATION",
        "DATAHUB_PAGE_TEMPLATE",
        "DATAHUB_PAGE_MODULE",
        "DATAHUB_FILE",
    ]
)
NO_KIND = ""  # the asset kind of a type not held: no asset has it
# Columns are searched only when a search names their type, as DataHub leaves SCHEMA_FIELD out of
# its default types: a catalog with column lineage holds far more columns than tables.
COLUMN_KIND = "schemaField"
SEARCHED_BY_DEFAULT = frozenset(kind for kind in ASSET_KINDS if kind != COLUMN_KIND)
SUPPORTED_CONDITIONS = ("EQUAL", "IN", "CONTAIN", "EXISTS")


@dataclass(frozen=True)
class Criterion:
    field: str
    values: tuple[str, ...]
    condition: str = "EQUAL"
    negated: bool = False


ALIASES = {"platform.keyword": "platform", "_entityType.keyword": "_entityType"}
NOT_REMOVED = ("removed", ("true",), "EQUAL", True)  # what the DataHub SDK sends by default


def normalized(
    or_filters: Sequence[Sequence[Criterion]], include_removed: bool
) -> tuple[list[list[Criterion]], bool]:
    """The filters with DataHub's field aliases resolved, and whether removed (soft-deleted)
    assets are searched: when asked (includeSoftDeleted), or when a filter names `removed`,
    as DataHub does; "not removed" alone is what a search does anyway, and is left out."""
    groups: list[list[Criterion]] = []
    for group in or_filters:
        criteria = [replace(c, field=ALIASES.get(c.field, c.field)) for c in group]
        if not include_removed:
            criteria = [
                c for c in criteria if (c.field, c.values, c.condition, c.negated) != NOT_REMOVED
            ]
        groups.append(criteria)
    include_removed |= any(c.field == "removed" for group in groups for c in group)
    return ([] if not any(groups) else groups), include_removed


def escape_like(word: str) -> str:
    """`word` as plain characters in a LIKE pattern (with ESCAPE '\\')."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def kind_of(entity_type: str) -> str:
    if entity_type in NOT_HELD_ENTITY_TYPES:
        return NO_KIND
    if entity_type not in KIND_OF_ENTITY_TYPE:
        raise InvalidInput(
            f"Cannot search entity type '{entity_type}': expected one of "
            f"{', '.join(KIND_OF_ENTITY_TYPE)} (or INCIDENT on its own)."
        )
    return KIND_OF_ENTITY_TYPE[entity_type]


def condition(criterion: Criterion) -> ColumnElement[bool]:
    if criterion.condition not in SUPPORTED_CONDITIONS:
        raise InvalidInput(
            f"Filter condition {criterion.condition} is not supported on '{criterion.field}': "
            f"use one of {', '.join(SUPPORTED_CONDITIONS)}."
        )
    clause = _match(criterion)
    return not_(clause) if criterion.negated else clause


def _contains(
    column: ColumnElement[str] | InstrumentedAttribute[str], values: tuple[str, ...]
) -> ColumnElement[bool]:
    return or_(*(column.ilike(f"%{escape_like(v)}%", escape="\\") for v in values))


def _match(criterion: Criterion) -> ColumnElement[bool]:
    name, values, exists = criterion.field, criterion.values, criterion.condition == "EXISTS"
    if name == "hasActiveIncidents":
        wanted = {v.lower() for v in values} or {"true"}
        if not wanted <= {"true", "false"}:
            raise InvalidInput("hasActiveIncidents takes the values 'true' or 'false'.")
        if exists or wanted == {"true", "false"}:
            return true()
        return Asset.active_incidents > 0 if wanted == {"true"} else Asset.active_incidents == 0
    if name == "removed":
        wanted = {v.lower() for v in values}
        if not wanted <= {"true", "false"}:
            raise InvalidInput("removed takes the values 'true' or 'false'.")
        if exists or wanted == {"true", "false"} or not wanted:
            return true()
        return Asset.removed == (wanted == {"true"})
    if name == "_entityType":
        return true() if exists else Asset.kind.in_([kind_of(v.upper()) for v in values])
    if name == "platform":
        platforms = tuple(v.removeprefix(f"{PREFIX}dataPlatform:") for v in values)
        if criterion.condition == "CONTAIN":
            return _contains(Asset.platform, platforms)
        return true() if exists else Asset.platform.in_(platforms)
    if name == "owners":
        owned = select(AssetOwner.asset_id)
        if not exists:
            owned = owned.where(AssetOwner.owner_urn.in_(values))
        return Asset.id.in_(owned)
    if name in ("urn", "name"):
        column = Asset.urn if name == "urn" else Asset.name
        if criterion.condition == "CONTAIN":
            return _contains(column, values)
        if name == "name":
            # Found through the index of names in any case, then compared exactly: as an
            # expression, since SQLite leaves that index aside when the bare column is named.
            lowered = {v.lower() for v in values}
            exact = (Asset.name + literal_column("''")).in_(values)
            return and_(func.lower(Asset.name).in_(lowered), exact)
        return column.in_(values)
    raise InvalidInput(
        f"Cannot filter on '{name}': filter on hasActiveIncidents, _entityType, platform, "
        "owners, urn, name or removed."
    )


def names_a_type(entity_types: Sequence[str], or_filters: Sequence[Sequence[Criterion]]) -> bool:
    """Whether a search says which types it wants (else it finds SEARCHED_BY_DEFAULT)."""
    return bool(entity_types) or any(c.field == "_entityType" for g in or_filters for c in g)
