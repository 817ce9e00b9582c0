"""Search over assets: free text, DataHub-style filters (OR of ANDs), paging and facets.

Everything is done by the database, and only the page reaches Python. "*" alone, or narrowed
by one group of type, platform and "Has Active Incidents" filters, reads its total and facets
from counts kept for it and its page from an index in search order (search_counted); any other
search finds its matches once, in one statement, for its page, total and facets
(search_matches).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from dataflare.catalog import search_counted, search_matches, search_text
from dataflare.catalog.models import VISIBLE, Asset
from dataflare.catalog.search_filters import (
    COLUMN_KIND,
    SEARCHED_BY_DEFAULT,
    Criterion,
    condition,
    kind_of,
    names_a_type,
    normalized,
)
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_SEARCH_COUNT
from dataflare.core.urns import ASSET_KINDS, PREFIX

__all__ = ["Criterion", "Facet", "SearchPage", "search"]

FACET_FIELDS = {
    "_entityType": "Type",
    "platform": "Platform",
    "owners": "Owned By",
    "hasActiveIncidents": "Has Active Incidents",
}
MAX_FACET_VALUES = 20  # the owners facet's most frequent values, as DataHub shows


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
    degrees: dict[int, int] = field(default_factory=dict)  # asset id -> hops, in a lineage search


def search(
    session: Session,
    query: str,
    entity_types: Sequence[str] = (),
    or_filters: Sequence[Sequence[Criterion]] = (),
    start: int = 0,
    count: int = 10,
    within: Subquery | None = None,
    include_removed: bool = False,
) -> SearchPage:
    """One page of matching assets (best text matches first, then by name in any case), the
    total, and facet counts over all matches. `within` restricts the search to the assets of a
    lineage walk: its rows (asset_id, degree), as `lineage.reachable` selects them. Removed
    (soft-deleted) assets are found only when `include_removed`, or a filter names `removed`;
    columns only when the search names a type, or walks lineage."""
    if start < 0 or count < 0 or count > MAX_SEARCH_COUNT:
        raise InvalidInput(
            f"start must be >= 0 and count between 0 and {MAX_SEARCH_COUNT} "
            f"(got start={start}, count={count})."
        )
    words = search_text.words(query)
    or_filters, include_removed = normalized(or_filters, include_removed)
    general = words or entity_types or within is not None or include_removed
    # A lineage walk keeps to its start's graph: from a column, it finds columns.
    columns_left_out = within is None and not names_a_type(entity_types, or_filters)
    answered = None if general else search_counted.counted(or_filters)
    if answered is not None and columns_left_out:
        answered = replace(answered, kinds=SEARCHED_BY_DEFAULT)
    if answered is not None:
        counts = search_counted.read(session, answered, start, count, MAX_FACET_VALUES)
        if not counts.total:
            return SearchPage(start, 0, counts.assets)
        facets = _facets(counts.kinds, counts.platforms, counts.active, counts.owners)
        return SearchPage(start, counts.total, counts.assets, facets)
    visible = true() if include_removed else VISIBLE
    conditions: list[ColumnElement[bool]] = [visible]
    if words:
        conditions.append(search_text.matches(session.get_bind().dialect.name, words))
    if entity_types:
        conditions.append(Asset.kind.in_([kind_of(t) for t in entity_types]))
    elif columns_left_out:
        conditions.append(Asset.kind != COLUMN_KIND)
    if or_filters:
        # "Not removed" in each group too: SQLite then reads each group from its own partial
        # index (MULTI-INDEX OR) instead of walking every asset.
        groups = (and_(visible, *map(condition, group)) for group in or_filters)
        conditions.append(or_(*groups))

    rank = search_text.rank(words) if words else None
    found = search_matches.read(
        session, conditions, within, rank, start, count, owners_shown=MAX_FACET_VALUES
    )
    total = found.kinds.total()
    if not total:
        return SearchPage(start, 0, [])
    ids = [asset_id for asset_id, _ in found.page]
    loaded = {a.id: a for a in session.scalars(select(Asset).where(Asset.id.in_(ids)))}
    return SearchPage(
        start,
        total,
        [loaded[i] for i in ids],
        _facets(found.kinds, found.platforms, found.active, found.owners),
        {i: d for i, d in found.page if d is not None},
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
