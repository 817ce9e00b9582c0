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

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, false, func, select, union_all
from sqlalchemy.orm import aliased

from dataflare.catalog.models import ASSET_OWNERS, ASSETS
from dataflare.core.vocabulary import PRIORITY_TO_NUMBER
from dataflare.db.driver import fetch_all
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS
from dataflare.incidents.stats_groups import figures_of, name_of
from dataflare.incidents.stats_values import Bucket, Figures, StatsFilters, walked_back

ACTIVE, RESOLVED = "ACTIVE", "RESOLVED"
LIVE = (ACTIVE, RESOLVED)  # a removed incident's links hold REMOVED: it counts nowhere
_L = INCIDENT_ASSETS.c
_I = INCIDENTS.c
# (incident, created, resolved, acknowledged, type, priority, asset, then a key per grouping)
Row = tuple[Any, ...]
FIRST_KEY = 7
Range = Callable[[Any], list[ColumnElement[bool]]]  # conditions on the links' columns


def filtered(filters: StatsFilters) -> bool:
    return bool(
        filters.types or filters.priorities or filters.platforms or filters.owners or filters.assets
    )


def read(
    connection: Connection,
    start: int,
    end: int,
    filters: StatsFilters,
    groupings: Sequence[str] = (),
) -> list[Row]:
    """The rows of the incidents that count in [start, end): one per link (and owner, when
    grouped by owner) of each."""
    branches = [
        _branch(filters, _raised_in(start, end)),
        _branch(filters, lambda c: [c.state == ACTIVE, c.created_at < start]),
        _branch(filters, _resolved_since(start)),
    ]
    found = union_all(*branches).subquery("found")
    query = select(*found.c, *(_key(found, g) for g in groupings))
    joined: Any = found
    if set(groupings) & {"PLATFORM", "ASSET"}:
        joined = joined.join(ASSETS, ASSETS.c.id == found.c.asset_id)
    if "OWNER" in groupings:
        owned = ASSET_OWNERS.c.asset_id == found.c.asset_id
        joined = joined.join(ASSET_OWNERS, owned, isouter=len(groupings) > 1)
    return fetch_all(connection, query.select_from(joined))


def totals(rows: list[Row], start: int, end: int) -> Figures:
    return figures_of(list(_incidents(rows).values()), start, end)


def groups(
    rows: list[Row], start: int, end: int, groupings: Sequence[str]
) -> dict[str, dict[str, Figures]]:
    """{grouping: {group name: its figures}}, each incident once per group it is in."""
    found: dict[str, dict[str, Figures]] = {}
    for column, group_by in enumerate(groupings, start=FIRST_KEY):
        per_group: defaultdict[Any, dict[int, Row]] = defaultdict(dict)
        for row in rows:
            per_group[row[column]][row[0]] = row
        if group_by == "OWNER":
            per_group.pop(None, None)  # the incidents on assets that have no owner
        figures = {k: figures_of(list(its.values()), start, end) for k, its in per_group.items()}
        found[group_by] = {
            name_of(group_by, key): f
            for key, f in figures.items()
            if f.raised or f.resolved or f.open_at_end
        }
    return found


def buckets(rows: list[Row], start: int, end: int, width: int) -> list[Bucket]:
    incidents = _incidents(rows).values()
    raised = Counter((row[1] - start) // width for row in incidents if start <= row[1] < end)
    resolved = Counter(
        (done - start) // width
        for done in (row[2] for row in incidents)
        if start <= (done or -1) < end
    )
    open_at_end = sum(1 for row in incidents if row[1] < end and (row[2] is None or row[2] >= end))
    return walked_back(start, end, width, raised, resolved, open_at_end)


def noisiest(
    connection: Connection, start: int, end: int, filters: StatsFilters, limit: int
) -> list[tuple[int, int]]:
    """(asset id, incidents raised on it in the period that count), the `limit` most first,
    counted by the database on the links' index."""
    raised = func.count().label("raised")
    query = (
        _branch(filters, _raised_in(start, end))
        .with_only_columns(_L.asset_id, raised)
        .group_by(_L.asset_id)
        .order_by(raised.desc(), _L.asset_id)
        .limit(limit)
    )
    return [(asset_id, n) for asset_id, n in connection.execute(query)]


def _raised_in(start: int, end: int) -> Range:
    return lambda c: [c.state.in_(LIVE), c.created_at >= start, c.created_at < end]


def _branch(filters: StatsFilters, within: Range) -> Select[Any]:
    """The links in range whose incidents count. The asset filters are asked of the incident's
    links in the same range (its links share its state and times)."""
    query = select(
        _L.incident_id,
        _L.created_at,
        _L.resolved_at,
        _L.acknowledged_at,
        _L.incident_type,
        _L.priority,
        _L.asset_id,
    ).where(*within(_L))
    if filters.types:
        query = query.where(_L.incident_type.in_(filters.types))
    if filters.priorities:
        query = query.where(_L.priority.in_([PRIORITY_TO_NUMBER[p] for p in filters.priorities]))
    asked = _assets_asked(filters)
    if asked is not None:
        other = aliased(INCIDENT_ASSETS).c
        on_asset = select(other.incident_id).where(other.asset_id.in_(asked), *within(other))
        query = query.where(_L.incident_id.in_(on_asset))
    return query


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


def _resolved_since(start: int) -> Range:
    """The links of the incidents raised before `start` and resolved since."""
    resolved = select(_I.id).where(
        _I.resolved_at >= start, _I.created_at < start, _I.removed.is_(false())
    )
    return lambda c: [c.incident_id.in_(resolved), c.state == RESOLVED]


def _key(found: Any, grouping: str) -> ColumnElement[Any]:
    keys: dict[str, ColumnElement[Any]] = {
        "TYPE": found.c.incident_type,
        "PRIORITY": found.c.priority,
        "PLATFORM": ASSETS.c.platform,
        "ASSET": ASSETS.c.urn,
        "OWNER": ASSET_OWNERS.c.owner_urn,
    }
    return keys[grouping]


def _incidents(rows: list[Row]) -> dict[int, Row]:
    """One row per incident."""
    return {row[0]: row for row in rows}
