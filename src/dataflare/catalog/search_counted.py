"""Searches answered from the counts kept for them (search_counts), never from their matches:
"*" alone, or narrowed by one group of type, platform and "Has Active Incidents" filters
(none negated). Their totals and facets add up the cells (type, platform) and (owner, type,
platform) that the filters keep, and their page is read from an index in search order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, literal_column, select
from sqlalchemy.orm import Session

from dataflare.catalog import search_counts
from dataflare.catalog.models import VISIBLE, WITH_INCIDENTS, Asset
from dataflare.catalog.search_filters import (
    COLUMN_KIND,
    SEARCHED_BY_DEFAULT,
    Criterion,
    kind_of,
)
from dataflare.core.urns import PREFIX

# Each counted set, as a condition that one of the assets' partial indexes serves in search
# order. (Written with literal numbers, as the indexes: a planner matches them by their text.)
_MATCHES = {
    search_counts.FOUND: WITH_INCIDENTS,
    search_counts.VISIBLE: VISIBLE,
    # "+ 0": SQLite would otherwise read the assets without incidents from the index that
    # starts with that column, then sort them all, rather than walk the name order and skip.
    search_counts.VISIBLE_NOT_FOUND: and_(
        VISIBLE, Asset.active_incidents + literal_column("0") == literal_column("0")
    ),
}
_EXACT = ("EQUAL", "IN")


@dataclass(frozen=True)
class Counted:
    """A search the counts answer: a set, and the types and platforms kept (None: all)."""

    which: str
    kinds: frozenset[str] | None = None
    platforms: frozenset[str] | None = None

    def keeps(self, kind: str, platform: str) -> bool:
        return (self.kinds is None or kind in self.kinds) and (
            self.platforms is None or platform in self.platforms
        )


@dataclass
class CountedPage:
    total: int
    assets: list[Asset]
    kinds: Counter[str]
    platforms: Counter[str]
    active: Counter[bool]
    owners: list[tuple[str, int]]


def counted(or_filters: Sequence[Sequence[Criterion]]) -> Counted | None:
    """The search these filters ask for, when the counts can answer it."""
    if not or_filters:
        return Counted(search_counts.VISIBLE)
    if len(or_filters) != 1 or not or_filters[0]:
        return None
    active: set[str] = set()
    kinds: frozenset[str] | None = None
    platforms: frozenset[str] | None = None
    for c in or_filters[0]:
        if c.condition not in _EXACT or c.negated:
            return None
        if c.field == "hasActiveIncidents":
            active |= {v.lower() for v in c.values} or {"true"}
        elif c.field == "_entityType":
            asked = frozenset(kind_of(v.upper()) for v in c.values)
            kinds = asked if kinds is None else kinds & asked
        elif c.field == "platform":
            asked = frozenset(v.removeprefix(f"{PREFIX}dataPlatform:") for v in c.values)
            platforms = asked if platforms is None else platforms & asked
        else:
            return None
    which = {
        frozenset(): search_counts.VISIBLE,
        frozenset({"true"}): search_counts.FOUND,
        frozenset({"false"}): search_counts.VISIBLE_NOT_FOUND,
    }.get(frozenset(active))
    return None if which is None else Counted(which, kinds, platforms)


def read(
    session: Session, search: Counted, start: int, count: int, owners_shown: int
) -> CountedPage:
    connection = session.connection()
    kinds: Counter[str] = Counter()
    platforms: Counter[str] = Counter()
    for kind, platform, n in search_counts.kind_counts(connection, search.which):
        if search.keeps(kind, platform):
            kinds[kind] += n
            platforms[platform] += n
    total = kinds.total()
    page = list(
        session.scalars(
            select(Asset)
            .where(_MATCHES[search.which], *_narrowed(search))
            .order_by(func.lower(Asset.name), Asset.id)
            .offset(start)
            .limit(count)
        )
    )
    if not total:
        return CountedPage(0, page, kinds, platforms, Counter(), [])
    if search.which == search_counts.VISIBLE:
        found = search_counts.kind_counts(connection)
        with_incidents = sum(n for kind, platform, n in found if search.keeps(kind, platform))
        active = Counter({True: with_incidents, False: total - with_incidents})
    else:
        active = Counter({search.which == search_counts.FOUND: total})
    owners = search_counts.top_owner_counts(
        connection, owners_shown, search.which, search.kinds, search.platforms
    )
    return CountedPage(total, page, kinds, platforms, +active, owners)


def _narrowed(search: Counted) -> list[ColumnElement[bool]]:
    """The type and platform filters for the page: one type or platform is read from its
    index in search order (ix_assets_visible_by_kind, _by_platform), up to the page's end."""
    narrowed: list[ColumnElement[bool]] = []
    if search.kinds == SEARCHED_BY_DEFAULT:  # all but columns: walk the name order, skip them
        narrowed.append(Asset.kind != COLUMN_KIND)
    elif search.kinds is not None:
        narrowed.append(Asset.kind.in_(search.kinds))
    if search.platforms is not None:
        narrowed.append(Asset.platform.in_(search.platforms))
    return narrowed
