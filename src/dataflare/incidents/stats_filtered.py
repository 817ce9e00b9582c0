"""Exact figures of a question with filters (types, priorities, platforms, owners, assets), read
from the incidents' links alone: each link keeps its incident's state, type, priority and times
(incidents/links.py, COPIED), in one index by state and creation time (migration 0024).

An incident counts when its type and priority are asked for and one of its assets meets every
asset filter (one asset: its platform, URN and owner); then each of its assets counts for its
groups (an incident on snowflake and kafka counts for both platforms, once each). Three ranges
hold every incident a period's figures need, read in one statement:

- raised in the period (ACTIVE or RESOLVED links created in it);
- the backlog: still active, raised before the period (open at its end);
- raised before the period and resolved since its start, found on the incidents' own index of
  resolutions (there are few: they were open at its start).

Reading a filter through each incident's assets instead (as unfiltered figures do) looked up
every incident of the period: 2 years of CRITICAL incidents on snowflake took 2.4 s at 1,000,000
incidents (bench/README.md, "Filtered figures")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, any_, false, func, select, union_all
from sqlalchemy.orm import aliased

from dataflare.catalog.models import ASSET_OWNERS, ASSETS
from dataflare.core.vocabulary import PRIORITY_TO_NUMBER
from dataflare.db.driver import fetch_all
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS
from dataflare.incidents.stats_counts import ON_ASSETS, cell_columns
from dataflare.incidents.stats_values import Bucket, StatsFilters, walked_back

ACTIVE, RESOLVED = "ACTIVE", "RESOLVED"
LIVE = (ACTIVE, RESOLVED)  # a removed incident's links hold REMOVED: it counts nowhere
_L = INCIDENT_ASSETS.c
_I = INCIDENTS.c
Row = tuple[Any, ...]  # (incident, created, resolved, acknowledged, then its cell's columns)
TIMES = (_L.incident_id, _L.created_at, _L.resolved_at, _L.acknowledged_at)
Range = Callable[[Any], list[ColumnElement[bool]]]  # conditions on the links' columns


def read(
    connection: Connection,
    start: int,
    end: int,
    filters: StatsFilters,
    groupings: Sequence[str] = (),
) -> list[Row]:
    """The rows of the incidents that count in [start, end): one per link of each (per link
    on an asset asked for, unless grouped by its assets), with the cell of its groupings
    (incidents/stats_counts.py)."""
    columns = [*TIMES, *(_L[name] for name in cell_columns(groupings))]
    whole = bool(set(groupings) & ON_ASSETS)  # grouped by its assets: all of them count
    ranges = [
        _raised_in(start, end),
        lambda c: [c.state == ACTIVE, c.created_at < start],
        _resolved_since(start, connection.dialect.name),
    ]
    branches = [_branch(filters, columns, within, whole) for within in ranges]
    return fetch_all(connection, union_all(*branches))


def buckets(rows: list[Row], start: int, end: int, width: int) -> list[Bucket]:
    once = {row[0]: row for row in rows}.values()  # each incident's first row
    raised = Counter([(r[1] - start) // width for r in once if start <= r[1] < end])
    done = [r[2] for r in once if r[2] is not None]
    resolved = Counter([(at - start) // width for at in done if start <= at < end])
    open_at_end = sum(1 for r in once if r[1] < end and (r[2] is None or r[2] >= end))
    return walked_back(start, end, width, raised, resolved, open_at_end)


def noisiest(
    connection: Connection, start: int, end: int, filters: StatsFilters, limit: int
) -> list[tuple[int, int]]:
    """(asset id, incidents raised on it in the period that count), the `limit` most first,
    counted by the database on the links' index."""
    raised = func.count().label("raised")
    # Grouped by an expression: told by ANALYZE how few assets there are, SQLite would read the
    # links asset by asset, in order, looking each one's priority up in the table (818 ms for a
    # year of HIGH incidents, 71 ms on the figures' index).
    asset = (_L.asset_id + 0).label("asset_id")
    query = (
        _branch(filters, [asset, raised], _raised_in(start, end))
        .group_by(asset)
        .order_by(raised.desc(), asset)
        .limit(limit)
    )
    return [(asset_id, n) for asset_id, n in connection.execute(query)]


def noisiest_of(
    rows: list[Row], start: int, end: int, groupings: Sequence[str], limit: int
) -> list[tuple[int, int]]:
    """What `noisiest` counts, from the rows `read` gave for groupings on assets (whose cells
    hold each link's asset)."""
    at = len(TIMES) + cell_columns(groupings).index("asset_id")
    raised = Counter(row[at] for row in rows if start <= row[1] < end)
    return sorted(raised.items(), key=lambda item: (-item[1], item[0]))[:limit]


def _raised_in(start: int, end: int) -> Range:
    return lambda c: [c.state.in_(LIVE), c.created_at >= start, c.created_at < end]


def _branch(
    filters: StatsFilters, columns: Sequence[Any], within: Range, whole: bool = True
) -> Select[Any]:
    """These columns of the links in range whose incidents count: of all their links (`whole`),
    or only of those on the assets asked for. The first asks the filters of the incident's
    links with the same facts (its links share its state, times, type and priority): a year of
    CRITICAL incidents on snowflake looks up the links of those incidents, not of every
    incident on snowflake."""

    def facts(c: Any) -> list[ColumnElement[bool]]:
        conditions = within(c)
        if filters.types:
            conditions.append(c.incident_type.in_(filters.types))
        if filters.priorities:
            numbers = [PRIORITY_TO_NUMBER[p] for p in filters.priorities]
            conditions.append(c.priority.in_(numbers))
        return conditions

    asked = _assets_asked(filters)
    if asked is None:
        return select(*columns).where(*facts(_L))
    if not whole:
        return select(*columns).where(*facts(_L), _L.asset_id.in_(asked))
    other = aliased(INCIDENT_ASSETS).c
    on_asset = select(other.incident_id).where(other.asset_id.in_(asked), *facts(other))
    return select(*columns).where(_L.incident_id.in_(on_asset))  # the same facts, all links


def _assets_asked(filters: StatsFilters) -> Select[Any] | None:
    """The assets meeting every asset filter; None when there are none."""
    conditions: list[ColumnElement[bool]] = []
    if filters.platforms:
        conditions.append(ASSETS.c.platform.in_(filters.platforms))
    if filters.assets:
        conditions.append(ASSETS.c.urn.in_(filters.assets))
    if filters.owners:
        owned = select(ASSET_OWNERS.c.asset_id).where(ASSET_OWNERS.c.owner_urn.in_(filters.owners))
        conditions.append(ASSETS.c.id.in_(owned))
    return select(ASSETS.c.id).where(*conditions) if conditions else None


def _resolved_since(start: int, dialect: str) -> Range:
    """The links of the incidents raised before `start` and resolved since. PostgreSQL gets
    them as an array: it cannot tell how few incidents are both raised before a moment and
    resolved after it (its guess: a quarter of them), and would hash every link to join them."""
    resolved = select(_I.id).where(
        _I.resolved_at >= start, _I.created_at < start, _I.removed.is_(false())
    )
    if dialect == "postgresql":
        return lambda c: [
            c.incident_id == any_(func.array(resolved.scalar_subquery())),
            c.state == RESOLVED,
        ]
    # SQLite, shown no index for the state (`|| ''`), looks each incident's links up: on the
    # index by state it read every resolved link, 109 of a year's 170 ms.
    return lambda c: [c.incident_id.in_(resolved), c.state + "" == RESOLVED]
