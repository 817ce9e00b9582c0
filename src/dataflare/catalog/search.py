"""Search over assets: free text, DataHub-style filters (OR of ANDs), paging and facets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from dataflare.catalog import search_counts
from dataflare.catalog.models import WITH_INCIDENTS, Asset, AssetOwner
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_SEARCH_COUNT
from dataflare.core.urns import ASSET_KINDS, PREFIX

KIND_OF_ENTITY_TYPE = {entity_type: kind for kind, entity_type in ASSET_KINDS.items()}
FACET_FIELDS = {
    "_entityType": "Type",
    "platform": "Platform",
    "owners": "Owned By",
    "hasActiveIncidents": "Has Active Incidents",
}
SUPPORTED_CONDITIONS = ("EQUAL", "IN", "CONTAIN", "EXISTS")
MAX_FACET_VALUES = 20  # the owners facet's most frequent values, as DataHub shows


@dataclass(frozen=True)
class Criterion:
    field: str
    values: tuple[str, ...]
    condition: str = "EQUAL"
    negated: bool = False


@dataclass(frozen=True)
class Facet:
    field: str
    display_name: str
    counts: list[tuple[str, int]]


@dataclass
class SearchPage:
    start: int
    total: int
    assets: list[Asset]
    facets: list[Facet] = field(default_factory=list)


def search(
    session: Session,
    query: str,
    entity_types: Sequence[str] = (),
    or_filters: Sequence[Sequence[Criterion]] = (),
    start: int = 0,
    count: int = 10,
    within: Collection[int] | None = None,
) -> SearchPage:
    """One page of matching assets (by name, in any case), the total, and facet counts over all
    matches. `within` restricts the search to those asset ids (a lineage walk's result)."""
    if start < 0 or count < 0 or count > MAX_SEARCH_COUNT:
        raise InvalidInput(
            f"start must be >= 0 and count between 0 and {MAX_SEARCH_COUNT} "
            f"(got start={start}, count={count})."
        )
    words = _text(query)
    if not words and not entity_types and within is None and _only_with_incidents(or_filters):
        return _with_incidents(session, start, count)
    conditions: list[ColumnElement[bool]] = [Asset.removed == false(), *words]
    if entity_types:
        conditions.append(Asset.kind.in_([_kind(t) for t in entity_types]))
    if or_filters:
        conditions.append(or_(*(and_(true(), *map(_criterion, group)) for group in or_filters)))
    if within is not None:
        conditions.append(Asset.id.in_(list(within)) if within else false())
    # One pass over the matches, in order, gives the total, the page and three of the four
    # facets: each further statement would have to find (and, with free text, read) them again.
    matches = (
        session.connection()
        .execute(
            select(Asset.id, Asset.kind, Asset.platform, Asset.active_incidents > 0)
            .where(*conditions)
            .order_by(func.lower(Asset.name), Asset.id)
        )
        .all()
    )
    ids, kinds, platforms, active = (
        (list(column) for column in zip(*matches, strict=True)) if (matches) else ([], [], [], [])
    )
    page_ids = ids[start : start + count]
    loaded = {a.id: a for a in session.scalars(select(Asset).where(Asset.id.in_(page_ids)))}
    page = [loaded[i] for i in page_ids]
    if not matches:
        return SearchPage(start, 0, page)
    owners = session.execute(
        select(AssetOwner.owner_urn, func.count())
        .where(AssetOwner.asset_id.in_(select(Asset.id).where(*conditions)))
        .group_by(AssetOwner.owner_urn)
        .order_by(func.count().desc(), AssetOwner.owner_urn)
        .limit(MAX_FACET_VALUES)
    ).all()
    facets = _facets(Counter(kinds), Counter(platforms), Counter(active), owners)
    return SearchPage(start, len(ids), page, facets)


def _only_with_incidents(or_filters: Sequence[Sequence[Criterion]]) -> bool:
    """Whether the filters say "Has Active Incidents" and nothing else."""
    return (
        len(or_filters) == 1
        and bool(or_filters[0])
        and all(
            c.field == "hasActiveIncidents"
            and c.condition in ("EQUAL", "IN")
            and not c.negated
            and {v.lower() for v in c.values} <= {"true"}
            for c in or_filters[0]
        )
    )


def _with_incidents(session: Session, start: int, count: int) -> SearchPage:
    """The "Has Active Incidents" search alone: its total and facets from the counts kept for
    it, its page from the index of those assets in search order. Nothing here reads every
    match, so its cost does not grow with the catalog."""
    connection = session.connection()
    kinds: Counter[str] = Counter()
    platforms: Counter[str] = Counter()
    for kind, platform, n in search_counts.kind_counts(connection):
        kinds[kind] += n
        platforms[platform] += n
    total = kinds.total()
    page = list(
        session.scalars(
            select(Asset)
            .where(WITH_INCIDENTS)
            .order_by(func.lower(Asset.name), Asset.id)
            .offset(start)
            .limit(count)
        )
    )
    if not total:
        return SearchPage(start, 0, page)
    owners = search_counts.top_owner_counts(connection, MAX_FACET_VALUES)
    return SearchPage(start, total, page, _facets(kinds, platforms, Counter({True: total}), owners))


def _text(query: str) -> list[ColumnElement[bool]]:
    """Every word must appear in the name, the description or the URN (any case)."""
    words = [w for w in query.split() if w != "*"]
    return [
        or_(
            Asset.name.ilike(f"%{_escape(w)}%", escape="\\"),
            Asset.description.ilike(f"%{_escape(w)}%", escape="\\"),
            Asset.urn.ilike(f"%{_escape(w)}%", escape="\\"),
        )
        for w in words
    ]


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _kind(entity_type: str) -> str:
    if entity_type not in KIND_OF_ENTITY_TYPE:
        raise InvalidInput(
            f"Cannot search entity type '{entity_type}': expected one of "
            f"{', '.join(KIND_OF_ENTITY_TYPE)}."
        )
    return KIND_OF_ENTITY_TYPE[entity_type]


def _criterion(criterion: Criterion) -> ColumnElement[bool]:
    if criterion.condition not in SUPPORTED_CONDITIONS:
        raise InvalidInput(
            f"Filter condition {criterion.condition} is not supported on '{criterion.field}': "
            f"use one of {', '.join(SUPPORTED_CONDITIONS)}."
        )
    clause = _match(criterion)
    return not_(clause) if criterion.negated else clause


def _match(criterion: Criterion) -> ColumnElement[bool]:
    name, values, exists = criterion.field, criterion.values, criterion.condition == "EXISTS"
    if name == "hasActiveIncidents":
        wanted = {v.lower() for v in values} or {"true"}
        if not wanted <= {"true", "false"}:
            raise InvalidInput("hasActiveIncidents takes the values 'true' or 'false'.")
        if exists or wanted == {"true", "false"}:
            return true()
        return Asset.active_incidents > 0 if wanted == {"true"} else Asset.active_incidents == 0
    if name == "_entityType":
        return true() if exists else Asset.kind.in_([_kind(v.upper()) for v in values])
    if name == "platform":
        platforms = [v.removeprefix(f"{PREFIX}dataPlatform:") for v in values]
        if criterion.condition == "CONTAIN":
            return or_(*(Asset.platform.ilike(f"%{_escape(p)}%", escape="\\") for p in platforms))
        return true() if exists else Asset.platform.in_(platforms)
    if name == "owners":
        owned = select(AssetOwner.asset_id)
        if not exists:
            owned = owned.where(AssetOwner.owner_urn.in_(values))
        return Asset.id.in_(owned)
    if name in ("urn", "name"):
        column = Asset.urn if name == "urn" else Asset.name
        if criterion.condition == "CONTAIN":
            return or_(*(column.ilike(f"%{_escape(v)}%", escape="\\") for v in values))
        return column.in_(values)
    raise InvalidInput(
        f"Cannot filter on '{name}': filter on hasActiveIncidents, _entityType, platform, "
        "owners, urn or name."
    )


def _facets(
    kinds: Counter[str],
    platforms: Counter[str],
    active: Counter[bool],
    owners: Iterable[tuple[str, int]],
) -> list[Facet]:
    """The four facets from the number of matches per type, platform, active flag and owner
    (the owners: the most frequent, at most MAX_FACET_VALUES)."""
    by_kind = ((ASSET_KINDS[k], n) for k, n in kinds.items())
    by_platform = ((f"{PREFIX}dataPlatform:{p}", n) for p, n in platforms.items())
    by_active = (("true" if flag else "false", n) for flag, n in active.items())
    return [
        Facet("_entityType", FACET_FIELDS["_entityType"], _sorted(by_kind)),
        Facet("platform", FACET_FIELDS["platform"], _sorted(by_platform)),
        Facet("owners", FACET_FIELDS["owners"], _sorted(owners)),
        Facet("hasActiveIncidents", FACET_FIELDS["hasActiveIncidents"], _sorted(by_active)),
    ]


def _sorted(pairs: Iterable[tuple[Any, Any]]) -> list[tuple[str, int]]:
    """Most frequent first, then by value."""
    return sorted(((str(v), int(n)) for v, n in pairs), key=lambda p: (-p[1], p[0]))
