"""Figures on incidents over a period [start, end), read from what each incident keeps
(incidents/figures.py); docs/insights.md defines each one exactly.

- raised: incidents created in the period;
- resolved: incidents whose last resolution falls in the period (and still resolved);
- open at the end: created before the end, and not resolved before it;
- time to acknowledge: from the raise to the first assignment or stage past TRIAGE, over the
  incidents raised in the period that were acknowledged;
- time to resolve: from the raise to the last resolution, over the incidents resolved in the
  period (time spent reopened counts);
- median and p90 by nearest rank (the value at position ceil(q * n) of the sorted durations).

Over a period with more than `exact_up_to` incidents raised or resolved, the figures the
rollups can tell come from them (stats_rollups.py): counts exact, ranks within 2.44%. Read
exactly, the totals' counts come from indexes, their durations ranked by PostgreSQL itself,
and on SQLite sorted by it and read straight from its cursor. Groups are counted and ranked in
one read of the incidents that can count (stats_groups.py). Only the parts asked for are
read."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from dataflare.core.errors import InvalidInput
from dataflare.core.vocabulary import PRIORITY_TO_NUMBER
from dataflare.db.chunks import plan_each_list
from dataflare.db.driver import fetch_all
from dataflare.incidents import stats_filtered
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS
from dataflare.incidents.rules import REMOVED
from dataflare.incidents.stats_counts import ON_ASSETS, Counts
from dataflare.incidents.stats_groups import ACTIVE, NOT_REMOVED, grouped_figures
from dataflare.incidents.stats_rollups import (
    EXACT_LIMIT,
    Plan,
    Reader,
    group_name,
    named,
    plan_of,
)
from dataflare.incidents.stats_values import (
    Bucket,
    Durations,
    Figures,
    NoisyAsset,
    Stats,
    StatsFilters,
    durations,
    walked_back,
)

DAY_MS = 86_400_000
INTERVALS = {"DAY": DAY_MS, "WEEK": 7 * DAY_MS}
GROUPS = ("PLATFORM", "OWNER", "ASSET", "TYPE", "PRIORITY")
MAX_BUCKETS = 1_000
NOISIEST = 10  # assets in the "noisiest" list
NO_FILTERS = StatsFilters()
PARTS = frozenset({"totals", "groups", "buckets", "noisiest"})

_I = INCIDENTS.c
_L = INCIDENT_ASSETS.c


def incident_stats(
    session: Session,
    start: int,
    end: int,
    group_by: str | None = None,
    interval: str | None = None,
    filters: StatsFilters = NO_FILTERS,
    parts: frozenset[str] = PARTS,
    exact_up_to: int = EXACT_LIMIT,
) -> Stats:
    """The figures of the period; only the `parts` asked for are read (the others are left
    empty), so a chart of buckets does not pay for ranks it does not show. When more than
    `exact_up_to` incidents were raised or resolved in it, they come from the rollups where
    those can answer (incidents/stats_rollups.py); with filters, else from the links
    (incidents/stats_filtered.py)."""
    width = _check(start, end, group_by, interval, filters)
    _plan_for_the_period(session)
    connection = session.connection()
    groupings = (group_by,) if group_by else ()
    rolled = _rolled_up(connection, start, end, filters, groupings, exact_up_to, width)
    if rolled is not None:
        return _from_rollups(*rolled, group_by, width, parts, filters)
    if filters.narrowed:
        return _filtered(connection, start, end, group_by, width, parts, filters)
    open_at_end = _open_at(connection, end) if parts & {"totals", "buckets"} else 0
    stats = Stats(start, end, Figures())
    if "totals" in parts:
        stats.totals = _totals(connection, start, end, open_at_end)
    if group_by and "groups" in parts:
        stats.groups = grouped_figures(connection, start, end, (group_by,))[group_by]
    if width and "buckets" in parts:
        stats.buckets = _buckets(connection, start, end, width, open_at_end)
    if "noisiest" in parts:
        stats.noisiest = _noisiest(connection, start, end)
    return stats


def _filtered(
    connection: Any,
    start: int,
    end: int,
    group_by: str | None,
    width: int | None,
    parts: frozenset[str],
    filters: StatsFilters,
) -> Stats:
    """A filtered question's figures, exactly: its incidents' rows read once."""
    stats = Stats(start, end, Figures())
    groupings = (group_by,) if group_by and "groups" in parts else ()
    if parts & {"totals", "buckets"} or groupings:
        rows = stats_filtered.read(connection, start, end, filters, groupings)
        counts = Counts(rows, start, end, groupings)
        if "totals" in parts:
            stats.totals = counts.totals()
        if group_by and groupings:
            stats.groups = counts.named(connection, groupings)[group_by]
        if width and "buckets" in parts:
            stats.buckets = stats_filtered.buckets(rows, start, end, width)
    if "noisiest" in parts:
        stats.noisiest = _filtered_noisiest(connection, start, end, filters)
    return stats


def _filtered_noisiest(
    connection: Any, start: int, end: int, filters: StatsFilters
) -> list[NoisyAsset]:
    return named(connection, stats_filtered.noisiest(connection, start, end, filters, NOISIEST))


def _plan_for_the_period(session: Session) -> None:
    """A figure's plan depends on its period: PostgreSQL's generic plan for a prepared figure
    (from the eleventh time one is asked) ignores how few rows a range holds, and took a
    2-year filtered question from 290 to 450-550 ms (bench/README.md, "Filtered figures")."""
    plan_each_list(session)


def _rolled_up(
    connection: Any,
    start: int,
    end: int,
    filters: StatsFilters,
    groupings: Sequence[str],
    exact_up_to: int,
    width: int | None = None,
) -> tuple[Reader, Plan] | None:
    """A reader of the rollups when they can answer and the exact figures would read more than
    `exact_up_to` incidents (incidents/stats_rollups.py); else None."""
    plan = plan_of(filters, groupings)
    if plan is None or (width is not None and start % DAY_MS):
        return None
    reader = Reader(connection, start, end)
    if reader.first >= reader.last or reader.moving(plan.totals) <= exact_up_to:
        return None
    return reader, plan


def _from_rollups(
    reader: Reader,
    plan: Plan,
    group_by: str | None,
    width: int | None,
    parts: frozenset[str],
    filters: StatsFilters,
) -> Stats:
    stats = Stats(reader.start, reader.end, Figures())
    if "totals" in parts:
        stats.totals = reader.totals(plan.totals)
    if group_by and "groups" in parts:
        found = reader.figures(plan.groups[group_by])
        stats.groups = {group_name(group_by, key): f for key, f in found.items()}
    if width and "buckets" in parts:
        open_at_end = (
            stats.totals.open_at_end
            if "totals" in parts
            else sum(reader.open_at_end(plan.totals).values())
        )
        stats.buckets = reader.buckets(plan.totals, width, open_at_end)
    if "noisiest" in parts:
        if plan.filtered:  # the per-asset cells count every incident, filtered or not
            connection = reader.connection
            stats.noisiest = _filtered_noisiest(connection, reader.start, reader.end, filters)
        else:
            stats.noisiest = reader.noisiest(NOISIEST)
    return stats


def _check(
    start: int,
    end: int,
    group_by: str | None,
    interval: str | None,
    filters: StatsFilters,
) -> int | None:
    if end <= start:
        raise InvalidInput(f"to must be after from (got from={start}, to={end}).")
    if group_by is not None and group_by not in GROUPS:
        raise InvalidInput(f"Cannot group by '{group_by}': use one of {', '.join(GROUPS)}.")
    for priority in filters.priorities:
        if priority not in PRIORITY_TO_NUMBER:
            raise InvalidInput(f"Unknown priority '{priority[:40]}'.")
    if interval is None:
        return None
    if interval not in INTERVALS:
        raise InvalidInput(f"Unknown interval '{interval}': use DAY or WEEK.")
    width = INTERVALS[interval]
    if math.ceil((end - start) / width) > MAX_BUCKETS:
        raise InvalidInput(
            f"A period of more than {MAX_BUCKETS} {interval.lower()}s: choose a shorter period "
            "or a longer interval."
        )
    return width


def _counted(connection: Any, conditions: list[ColumnElement[bool]]) -> int:
    count = select(func.count()).select_from(INCIDENTS).where(*conditions)
    return int(connection.scalar(count) or 0)


def _open_at(connection: Any, moment: int) -> int:
    """Incidents open at `moment`: active now and raised before it, plus those resolved since
    it that were raised before it. Both read recent rows only (the active ones, and the
    resolutions after `moment`), however long the history."""
    active = _I.state == ACTIVE
    resolved_since = and_(_I.resolved_at >= moment, _I.created_at < moment)
    return _counted(connection, [NOT_REMOVED, active, _I.created_at < moment]) + _counted(
        connection, [NOT_REMOVED, resolved_since]
    )


def _ranked(connection: Any, duration: ColumnElement[int], conditions: list[Any]) -> Durations:
    """Count, median and p90 by nearest rank. PostgreSQL takes them itself (percentile_disc is
    exactly the nearest rank); SQLite, which has no such aggregate, sorts the durations, which
    are read straight from its cursor and picked by position."""
    if connection.dialect.name == "postgresql":
        query = select(
            func.count(),
            func.percentile_disc(0.5).within_group(duration),
            func.percentile_disc(0.9).within_group(duration),
        ).where(*conditions)
        n, median, p90 = connection.execute(query).one()
        return Durations(n, int(median), int(p90)) if n else Durations()
    ordered = select(duration).where(*conditions).order_by(duration)
    return durations([d for (d,) in fetch_all(connection, ordered)])  # sorted: one pass


def _totals(connection: Any, start: int, end: int, open_at_end: int) -> Figures:
    """Each count from an index, over the period's rows only."""
    matching = [NOT_REMOVED]
    in_period = and_(_I.created_at >= start, _I.created_at < end)
    resolved_in_period = and_(_I.resolved_at >= start, _I.resolved_at < end)
    acknowledged = [*matching, in_period, _I.acknowledged_at.is_not(None)]
    return Figures(
        _counted(connection, [*matching, in_period]),
        _counted(connection, [*matching, resolved_in_period]),
        open_at_end,
        _ranked(connection, _I.acknowledged_at - _I.created_at, acknowledged),
        _ranked(connection, _I.resolved_at - _I.created_at, [*matching, resolved_in_period]),
    )


def incident_groups(
    session: Session,
    start: int,
    end: int,
    groupings: Sequence[str],
    filters: StatsFilters = NO_FILTERS,
    exact_up_to: int = EXACT_LIMIT,
) -> dict[str, dict[str, Figures]]:
    """{grouping: {group: its figures}} for several groupings, read at once."""
    for group_by in groupings:
        _check(start, end, group_by, None, filters)
    _plan_for_the_period(session)
    rolled = _rolled_up(session.connection(), start, end, filters, groupings, exact_up_to)
    if rolled is not None:
        reader, plan = rolled
        return {
            g: {group_name(g, key): f for key, f in reader.figures(plan.groups[g]).items()}
            for g in groupings
        }
    connection = session.connection()
    if filters.narrowed:
        rows = stats_filtered.read(connection, start, end, filters, groupings)
        return Counts(rows, start, end, groupings).named(connection, groupings)
    return grouped_figures(connection, start, end, groupings)


def page_figures(
    session: Session,
    start: int,
    end: int,
    interval: str,
    filters: StatsFilters,
    groupings: Sequence[str],
    exact_up_to: int = EXACT_LIMIT,
) -> tuple[Stats, dict[str, dict[str, Figures]]]:
    """The Insights page's figures: the totals, buckets and noisiest assets, and the groups on
    assets. When those groups must be read from the links (a filter the rollups cannot group
    by), the rest is counted from the same rows, exactly: a year of HIGH incidents then reads
    its 115,000 links once, not once more for its noisiest assets (bench/README.md)."""
    width = _check(start, end, None, interval, filters)
    for group_by in groupings:
        _check(start, end, group_by, None, filters)
    # Decided without reading: a filter the rollups cannot group by reads the links whatever
    # the period, and every other page is the two usual reads.
    on_assets = bool(groupings) and set(groupings) <= ON_ASSETS
    if not (filters.narrowed and on_assets and plan_of(filters, groupings) is None):
        parts = frozenset({"totals", "buckets", "noisiest"})
        stats = incident_stats(session, start, end, None, interval, filters, parts, exact_up_to)
        return stats, incident_groups(session, start, end, groupings, filters, exact_up_to)
    _plan_for_the_period(session)
    connection = session.connection()
    rows = stats_filtered.read(connection, start, end, filters, groupings)
    counts = Counts(rows, start, end, groupings)
    stats = Stats(start, end, counts.totals())
    if width:
        stats.buckets = stats_filtered.buckets(rows, start, end, width)
    top = stats_filtered.noisiest_of(rows, start, end, groupings, NOISIEST)
    stats.noisiest = named(connection, top)
    return stats, counts.named(connection, groupings)


def _buckets(
    connection: Any,
    start: int,
    end: int,
    width: int,
    open_at_end: int,
) -> list[Bucket]:
    def per_bucket(column: ColumnElement[int]) -> dict[int, int]:
        index = ((column - start) // width).label("bucket")
        query = (
            select(index, func.count())
            .where(NOT_REMOVED, column >= start, column < end)
            .group_by(index)
        )
        return {int(b): n for b, n in connection.execute(query)}

    raised, resolved = per_bucket(_I.created_at), per_bucket(_I.resolved_at)
    return walked_back(start, end, width, raised, resolved, open_at_end)


def _noisiest(connection: Any, start: int, end: int) -> list[NoisyAsset]:
    """Counted on the links alone (each keeps its incident's creation time, indexed with the
    asset)."""
    raised = func.count().label("raised")
    query = select(_L.asset_id, raised).where(
        _L.created_at >= start, _L.created_at < end, _L.state != REMOVED
    )
    top = connection.execute(
        query.group_by(_L.asset_id).order_by(raised.desc(), _L.asset_id).limit(NOISIEST)
    ).all()
    return named(connection, [(asset_id, n) for asset_id, n in top])
