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

Counts come from indexes; the durations are ranked by PostgreSQL itself, and on SQLite sorted
by it and read straight from its cursor."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSET_OWNERS, ASSETS
from dataflare.core.errors import InvalidInput
from dataflare.core.vocabulary import NUMBER_TO_PRIORITY, PRIORITY_TO_NUMBER
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS
from dataflare.incidents.rules import REMOVED

DAY_MS = 86_400_000
INTERVALS = {"DAY": DAY_MS, "WEEK": 7 * DAY_MS}
GROUPS = ("PLATFORM", "OWNER", "ASSET", "TYPE", "PRIORITY")
MAX_BUCKETS = 1_000
NOISIEST = 10  # assets in the "noisiest" list
NO_PRIORITY = "NONE"

_I = INCIDENTS.c
_L = INCIDENT_ASSETS.c


@dataclass(frozen=True)
class StatsFilters:
    platforms: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Durations:
    """Milliseconds; median and p90 are None when there is nothing to measure."""

    count: int = 0
    median: int | None = None
    p90: int | None = None


@dataclass
class Figures:
    raised: int = 0
    resolved: int = 0
    open_at_end: int = 0
    time_to_acknowledge: Durations = field(default_factory=Durations)
    time_to_resolve: Durations = field(default_factory=Durations)


@dataclass(frozen=True)
class Bucket:
    start: int
    end: int
    raised: int
    resolved: int
    open_at_end: int


@dataclass(frozen=True)
class NoisyAsset:
    urn: str
    name: str | None
    raised: int


@dataclass
class Stats:
    start: int
    end: int
    totals: Figures
    groups: dict[str, Figures] = field(default_factory=dict)
    buckets: list[Bucket] = field(default_factory=list)
    noisiest: list[NoisyAsset] = field(default_factory=list)


def incident_stats(
    session: Session,
    start: int,
    end: int,
    group_by: str | None = None,
    interval: str | None = None,
    filters: StatsFilters = StatsFilters(),
) -> Stats:
    width = _check(start, end, group_by, interval, filters)
    connection = session.connection()
    asked = _matching(filters)
    matching = [*asked, _I.removed.is_(false())]  # a soft-deleted incident counts nowhere
    totals = _all_figures(connection, start, end, matching, None).get("", Figures())
    groups = _grouped(connection, start, end, matching, group_by) if group_by else {}
    buckets = _buckets(connection, start, end, width, matching) if width else []
    return Stats(start, end, totals, groups, buckets, _noisiest(connection, start, end, asked))


def _check(
    start: int, end: int, group_by: str | None, interval: str | None, filters: StatsFilters
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


def _matching(filters: StatsFilters) -> list[ColumnElement[bool]]:
    """Conditions on the incidents table for the filters."""
    conditions: list[ColumnElement[bool]] = []
    if filters.types:
        conditions.append(_I.incident_type.in_(filters.types))
    if filters.priorities:
        conditions.append(_I.priority.in_([PRIORITY_TO_NUMBER[p] for p in filters.priorities]))
    on_assets: list[ColumnElement[bool]] = []
    if filters.platforms:
        on_assets.append(ASSETS.c.platform.in_(filters.platforms))
    if filters.assets:
        on_assets.append(ASSETS.c.urn.in_(filters.assets))
    if filters.owners:
        owned = select(ASSET_OWNERS.c.asset_id).where(ASSET_OWNERS.c.owner_urn.in_(filters.owners))
        on_assets.append(ASSETS.c.id.in_(owned))
    if on_assets:
        # Asked of each incident of the period (a lookup by its links' key), never as the list
        # of every incident ever raised on those assets.
        linked = (
            select(_L.incident_id)
            .join(ASSETS, ASSETS.c.id == _L.asset_id)
            .where(_L.incident_id == _I.id, *on_assets)
        )
        conditions.append(linked.exists())
    return conditions


def _key(group_by: str | None) -> ColumnElement[Any]:
    if group_by == "TYPE":
        return _I.incident_type
    if group_by == "PRIORITY":
        return _I.priority
    if group_by == "PLATFORM":
        return ASSETS.c.platform
    if group_by == "ASSET":
        return ASSETS.c.urn
    if group_by == "OWNER":
        return ASSET_OWNERS.c.owner_urn
    return literal("")


def _rows(
    columns: Sequence[ColumnElement[Any]], group_by: str | None, matching: list[ColumnElement[bool]]
) -> Select[Any]:
    """One row per incident, or per (incident, group) when grouping by what its assets have:
    an incident on two platforms counts in both."""
    query = select(_I.id.label("incident_id"), _key(group_by).label("key"), *columns)
    if group_by in ("PLATFORM", "ASSET", "OWNER"):
        query = query.join(INCIDENT_ASSETS, _L.incident_id == _I.id).join(
            ASSETS, ASSETS.c.id == _L.asset_id
        )
        if group_by == "OWNER":
            query = query.join(ASSET_OWNERS, ASSET_OWNERS.c.asset_id == ASSETS.c.id)
        query = query.distinct()
    return query.where(*matching)


def _counted(connection: Any, conditions: list[ColumnElement[bool]]) -> dict[Any, int]:
    count = select(func.count()).select_from(INCIDENTS).where(*conditions)
    return {"": connection.scalar(count) or 0}


def _open_at(connection: Any, moment: int, matching: list[ColumnElement[bool]]) -> int:
    """Incidents open at `moment`: active now and raised before it, plus those resolved since
    it that were raised before it. Both read recent rows only (the active ones, and the
    resolutions after `moment`), however long the history."""
    active = _I.state == "ACTIVE"
    resolved_since = and_(_I.resolved_at >= moment, _I.created_at < moment)
    return (
        _counted(connection, [*matching, active, _I.created_at < moment])[""]
        + _counted(connection, [*matching, resolved_since])[""]
    )


def _grouped_counts(
    connection: Any, start: int, end: int, matching: list[ColumnElement[bool]], group_by: str
) -> tuple[dict[Any, int], ...]:
    """Per group: raised in the period, resolved in it, open at its end. Read from the rows
    that can count: raised in the period, resolved since its start, or active now."""
    relevant = or_(
        and_(_I.created_at >= start, _I.created_at < end),
        _I.resolved_at >= start,
        _I.state == "ACTIVE",
    )
    rows = _rows([_I.created_at, _I.resolved_at], group_by, [*matching, relevant])
    inner = rows.subquery()
    created, resolved = inner.c.created_at, inner.c.resolved_at

    def number(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0))

    open_at_end = and_(created < end, or_(resolved.is_(None), resolved >= end))
    query = select(
        inner.c.key,
        number(and_(created >= start, created < end)),
        number(and_(resolved >= start, resolved < end)),
        number(open_at_end),
    ).group_by(inner.c.key)
    found: tuple[dict[Any, int], ...] = ({}, {}, {})
    for key, *counts in connection.execute(query):
        for kept, n in zip(found, counts, strict=True):
            kept[key] = int(n or 0)
    return found


def _ranked(connection: Any, rows: Select[Any]) -> dict[Any, Durations]:
    """Each group's median and p90 by nearest rank. PostgreSQL takes them itself
    (percentile_disc is exactly the nearest rank); SQLite, which has no such aggregate, sorts
    the durations, which are then read straight from its cursor and picked by position."""
    inner = rows.subquery()
    if connection.dialect.name == "postgresql":
        query = select(
            inner.c.key,
            func.count(),
            func.percentile_disc(0.5).within_group(inner.c.d),
            func.percentile_disc(0.9).within_group(inner.c.d),
        ).group_by(inner.c.key)
        return {
            key: Durations(n, int(median), int(p90))
            for key, n, median, p90 in connection.execute(query)
        }
    ordered = select(inner.c.key, inner.c.d).order_by(inner.c.key, inner.c.d)
    compiled = ordered.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    values = [compiled.params[name] for name in compiled.positiontup or ()]
    cursor = connection.connection.cursor()
    try:
        found = cursor.execute(str(compiled), values).fetchall()
    finally:
        cursor.close()
    by_key: dict[Any, list[int]] = defaultdict(list)
    for key, value in found:
        by_key[key].append(value)
    return {
        key: Durations(len(values), _rank(values, 0.5), _rank(values, 0.9))
        for key, values in by_key.items()
    }


def _rank(ordered: Sequence[int], quantile: float) -> int:
    """Nearest rank: the value at position ceil(q * n), counted from 1."""
    return int(ordered[max(1, math.ceil(quantile * len(ordered))) - 1])


def _all_figures(
    connection: Any,
    start: int,
    end: int,
    matching: list[ColumnElement[bool]],
    group_by: str | None,
) -> dict[Any, Figures]:
    in_period = and_(_I.created_at >= start, _I.created_at < end)
    resolved_in_period = and_(_I.resolved_at >= start, _I.resolved_at < end)
    if group_by is None:  # each count from an index, over the period's rows only
        raised = _counted(connection, [*matching, in_period])
        resolved = _counted(connection, [*matching, resolved_in_period])
        still_open = {"": _open_at(connection, end, matching)}
    else:  # the three in one pass over the groups' rows that matter for the period
        raised, resolved, still_open = _grouped_counts(connection, start, end, matching, group_by)
    acknowledge = (_I.acknowledged_at - _I.created_at).label("d")
    acknowledged = [*matching, in_period, _I.acknowledged_at.is_not(None)]
    to_acknowledge = _ranked(connection, _rows([acknowledge], group_by, acknowledged))
    resolve = (_I.resolved_at - _I.created_at).label("d")
    to_resolve = _ranked(connection, _rows([resolve], group_by, [*matching, resolved_in_period]))
    keys = set(raised) | set(resolved) | set(still_open)
    figures = {
        key: Figures(
            raised.get(key, 0),
            resolved.get(key, 0),
            still_open.get(key, 0),
            to_acknowledge.get(key, Durations()),
            to_resolve.get(key, Durations()),
        )
        for key in keys
    }
    if group_by is None:
        return figures
    # A group with nothing in the period (only older, closed incidents) is not shown.
    return {k: f for k, f in figures.items() if f.raised or f.resolved or f.open_at_end}


def _grouped(
    connection: Any, start: int, end: int, matching: list[ColumnElement[bool]], group_by: str
) -> dict[str, Figures]:
    found = _all_figures(connection, start, end, matching, group_by)
    if group_by == "PRIORITY":
        return {
            NO_PRIORITY if key is None else NUMBER_TO_PRIORITY[key]: figures
            for key, figures in found.items()
        }
    return {str(key): figures for key, figures in found.items()}


def _buckets(
    connection: Any, start: int, end: int, width: int, matching: list[ColumnElement[bool]]
) -> list[Bucket]:
    def per_bucket(column: ColumnElement[int]) -> dict[int, int]:
        index = ((column - start) // width).label("bucket")
        query = (
            select(index, func.count())
            .where(*matching, column >= start, column < end)
            .group_by(index)
        )
        return {int(b): n for b, n in connection.execute(query)}

    raised, resolved = per_bucket(_I.created_at), per_bucket(_I.resolved_at)
    # Walk back from the open count at the end: each bucket's start had its raises fewer and
    # its resolutions more.
    count = math.ceil((end - start) / width)
    open_then = _open_at(connection, end, matching)
    buckets = []
    for number in reversed(range(count)):
        bucket_start = start + number * width
        buckets.append(
            Bucket(
                bucket_start,
                min(bucket_start + width, end),
                raised.get(number, 0),
                resolved.get(number, 0),
                open_then,
            )
        )
        open_then += resolved.get(number, 0) - raised.get(number, 0)
    return buckets[::-1]


def _noisiest(
    connection: Any, start: int, end: int, matching: list[ColumnElement[bool]]
) -> list[NoisyAsset]:
    """Counted on the links alone (each keeps its incident's creation time, indexed with the
    asset): the incidents table is read only to apply filters."""
    raised = func.count().label("raised")
    query = select(_L.asset_id, raised).where(
        _L.created_at >= start, _L.created_at < end, _L.state != REMOVED
    )
    if matching:
        query = query.where(_L.incident_id.in_(select(_I.id).where(*matching)))
    top = connection.execute(
        query.group_by(_L.asset_id).order_by(raised.desc(), _L.asset_id).limit(NOISIEST)
    ).all()
    names = {
        asset_id: (urn, name)
        for asset_id, urn, name in connection.execute(
            select(ASSETS.c.id, ASSETS.c.urn, ASSETS.c.name).where(
                ASSETS.c.id.in_([asset_id for asset_id, _ in top])
            )
        )
    }
    return [NoisyAsset(*names[asset_id], n) for asset_id, n in top]
