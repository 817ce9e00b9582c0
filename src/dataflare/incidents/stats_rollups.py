"""The figures of a period read from the rollups (incidents/rollups.py), for the questions whose
exact answer would read too many incidents: more than EXACT_LIMIT raised or resolved in it.

The period's whole days are summed from the cells: 16-day cells where they fit, single days at
either end. The hours before its first midnight and after its last are read from the incidents
themselves, as is everything of a period shorter than a day. Counts are exact. Medians and p90s
are taken from the buckets: the bucket that holds the nearest rank is exact, and the value
given for it is within rollups.RELATIVE_ERROR of the exact one; such a figure says it is not
exact (Durations.exact).

A question is answered here when the rollups can tell each incident once (plan_of):
- no filter, grouped by nothing, type, priority, platform or owner;
- filters on types and priorities (any number of each), grouped by nothing, type or priority;
- a filter on one platform, or one owner, not grouped.
Anything else is answered exactly (incidents/stats.py), as is the list of noisiest assets of
any filtered question."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, or_, select, union_all

from dataflare.catalog.models import ASSETS
from dataflare.core.limits import MAX_EPOCH_MS
from dataflare.core.vocabulary import INCIDENT_TYPES, NUMBER_TO_PRIORITY, PRIORITY_TO_NUMBER
from dataflare.db.driver import fetch_all
from dataflare.incidents import rollups
from dataflare.incidents.models import INCIDENT_ROLLUPS, INCIDENTS
from dataflare.incidents.rollups import (
    ALL,
    ASSET,
    DAY_MS,
    OWNER,
    PLATFORM,
    PRIORITY,
    RAISED,
    RESOLVED,
    TO_ACKNOWLEDGE,
    TO_RESOLVE,
    TYPE,
)
from dataflare.incidents.stats_values import (
    Bucket,
    Durations,
    Figures,
    NoisyAsset,
    StatsFilters,
    position,
    walked_back,
)

ALL_MEASURES = (RAISED, RESOLVED, TO_ACKNOWLEDGE, TO_RESOLVE)
EXACT_LIMIT = 10_000  # incidents raised or resolved in a period, up to which figures are exact
DIMENSIONS = {"TYPE": TYPE, "PRIORITY": PRIORITY, "PLATFORM": PLATFORM, "OWNER": OWNER}
BLOCK = rollups.SPANS[-1]
_EARLIEST_DAY = 0  # of any incident
LAST_DAY = MAX_EPOCH_MS // DAY_MS + 1  # after any incident's
_R = INCIDENT_ROLLUPS.c
_I = INCIDENTS.c

Sums = dict[tuple[str, int], Counter[int]]  # (group key, measure) -> {bucket: incidents}
Days = list[tuple[int, int, int]]  # (span, first day from, first day before)
EdgeCells = dict[tuple[str, str, int], Counter[int]]  # (dimension, key, measure) -> buckets


@dataclass(frozen=True)
class Scope:
    """Rollup cells to sum: those of these dimensions (groupings, or slices of one) with these
    keys (none: any). A cell's group is its key, or (`part`) the type (0) or priority (1) of
    the type-and-priority slice it is in."""

    dimensions: tuple[str, ...]
    keys: tuple[str, ...] = ()
    part: int | None = None

    def name(self, dimension: str, key: str) -> str | None:
        """The group of a cell; None for a cell outside the scope."""
        if dimension not in self.dimensions or (self.keys and key not in self.keys):
            return None
        if self.part is None:
            return key
        return dimension.split(":")[1].split("|")[self.part]


@dataclass(frozen=True)
class Plan:
    """What the rollups read for a question: the totals, and each grouping asked for."""

    totals: Scope
    groups: dict[str, Scope]
    filtered: bool  # the noisiest assets then come from the incidents (no slice per asset)


def plan_of(filters: StatsFilters, groupings: Sequence[str]) -> Plan | None:
    """How the rollups answer these filters and groupings; None when they cannot tell each
    incident once (then only the exact figures answer). An incident on two platforms (or of two
    owners) is in both their cells: a sum over two would count it twice; and a cell of one
    platform knows nothing of the incidents' types, priorities or other platforms."""
    if filters.assets or len(filters.platforms) > 1 or len(filters.owners) > 1:
        return None
    by_slice = bool(filters.types or filters.priorities)
    plan: Plan
    if filters.owners or filters.platforms:
        if by_slice or (filters.owners and filters.platforms) or groupings:
            return None
        dimension, key = (
            (OWNER, filters.owners[0]) if filters.owners else (PLATFORM, filters.platforms[0])
        )
        plan = Plan(Scope((dimension,), (key,)), {}, True)
    elif by_slice:
        types = filters.types or INCIDENT_TYPES
        priorities = [rollups.priority_key(PRIORITY_TO_NUMBER[p]) for p in filters.priorities]
        if not priorities:
            priorities = [*(str(n) for n in sorted(NUMBER_TO_PRIORITY)), rollups.NO_PRIORITY]
        slices = tuple(
            rollups.type_and_priority(t, r) for t in dict.fromkeys(types) for r in priorities
        )
        kinds = {"TYPE": Scope(slices, ("",), 0), "PRIORITY": Scope(slices, ("",), 1)}
        plan = Plan(Scope(slices, ("",)), kinds, True)
    else:
        kinds = {grouping: Scope((dimension,)) for grouping, dimension in DIMENSIONS.items()}
        plan = Plan(Scope((ALL,), ("",)), kinds, False)
    if any(grouping not in plan.groups for grouping in groupings):
        return None
    return plan


def _days(first: int, last: int) -> Days:
    """[first, last) days as cells: single days up to a 16-day boundary, 16-day cells, days."""
    blocks_from, blocks_to = -(-first // BLOCK) * BLOCK, last // BLOCK * BLOCK
    if blocks_from >= blocks_to:
        return [(1, first, last)]
    return [(1, first, blocks_from), (BLOCK, blocks_from, blocks_to), (1, blocks_to, last)]


Rows = list[tuple[str, str, int, int, int]]  # (dimension, key, measure, bucket, incidents)


def _cells(
    connection: Connection,
    dimensions: tuple[str, ...],
    keys: tuple[str, ...],
    days: Days,
    measures: Sequence[int],
) -> Rows:
    """The cells' counts over these days, summed per dimension, key, measure and bucket."""
    parts = []
    for span, first, last in days:
        if first >= last:
            continue
        part = select(_R.dimension, _R.group_key, _R.measure, _R.bucket, _R.n).where(
            _R.dimension.in_(dimensions),
            _R.span_days == span,
            _R.first_day >= first,
            _R.first_day < last,
            _R.measure.in_(measures),
        )
        if keys:
            part = part.where(_R.group_key.in_(keys))
        parts.append(part)
    if not parts:
        return []
    cells = union_all(*parts).subquery()
    by = (cells.c.dimension, cells.c.group_key, cells.c.measure, cells.c.bucket)
    query = select(*by, func.sum(cells.c.n)).group_by(*by)
    # Plain driver rows: SQLAlchemy's cost 200 ms for a year's 18,000 owner cells.
    return [(d, k, m, b, int(n)) for d, k, m, b, n in fetch_all(connection, query) if n]


def _named(rows: Rows, scope: Scope) -> Sums:
    """The rows' counts per group of the scope, and measure."""
    found: Sums = defaultdict(Counter)
    for dimension, key, measure, bucket, n in rows:
        name = scope.name(dimension, key)
        if name is not None:
            found[name, measure][bucket] += n
    return found


@dataclass
class Edges:
    """What the incidents count for in the hours at either end of the period (read from the
    incidents themselves), and in the hours after its last midnight (for the open count)."""

    period: EdgeCells
    tail: EdgeCells
    assets: Counter[str]


def _edges(connection: Connection, start: int, end: int, first: int, last: int) -> Edges:
    head, tail = (start, first * DAY_MS), (last * DAY_MS, end)
    ranges = [r for r in (head, tail) if r[0] < r[1]]
    edges = Edges(defaultdict(Counter), defaultdict(Counter), Counter())
    if not ranges:
        return edges
    within = [
        or_(*(c.between(lo, hi - 1) for lo, hi in ranges)) for c in (_I.created_at, _I.resolved_at)
    ]
    facts = list(rollups.gathered(connection.execute(rollups.facts_query(or_(*within)))))
    assets = rollups.asset_keys(connection, set().union(*(f.asset_ids for f in facts)))
    for fact in facts:
        keys = rollups.keys_of(fact, assets)
        for measure, _day, bucket in rollups.events(fact):
            moment = fact.resolved_at if measure in (RESOLVED, TO_RESOLVE) else fact.created_at
            for lo, hi in ranges:
                if lo <= moment < hi:  # type: ignore[operator]
                    for dimension, key in keys:
                        edges.period[dimension, key, measure][bucket] += 1
                    if (lo, hi) == tail:
                        for dimension, key in keys:
                            edges.tail[dimension, key, measure][bucket] += 1
                    if measure == RAISED:
                        edges.assets.update(str(i) for i in fact.asset_ids)
    return edges


def _with_edges(sums: Sums, edge: EdgeCells, scope: Scope) -> Sums:
    """The cells' sums with the edge's counts in the scope added."""
    for (dimension, key, measure), buckets in edge.items():
        name = scope.name(dimension, key)
        if name is not None:
            sums.setdefault((name, measure), Counter()).update(buckets)
    return sums


def _ranked(buckets: Counter[int]) -> Durations:
    """Count, median and p90 of the bucketed durations: the nearest rank's bucket, as a value."""
    n = sum(buckets.values())
    if not n:
        return Durations()
    ordered = sorted(buckets.items())
    found = []
    for quantile in (0.5, 0.9):
        seen, wanted = 0, position(quantile, n)
        for bucket, count in ordered:
            seen += count
            if seen >= wanted:
                found.append(rollups.value(bucket))
                break
    return Durations(n, found[0], found[1], exact=False)


class Reader:
    """One period's figures from the rollups; each part read when asked for."""

    def __init__(self, connection: Connection, start: int, end: int) -> None:
        self.connection = connection
        self.start, self.end = start, end
        # The first whole day, and the day the period's last midnight starts; no cell lies
        # outside the days incidents can have (rules: 1970 to 9999), and PostgreSQL's day
        # column, an INTEGER, would refuse a period of the API's widest Longs.
        self.first = min(max(-(-start // DAY_MS), 0), LAST_DAY)
        self.last = min(max(end // DAY_MS, 0), LAST_DAY)
        self.days = _days(self.first, self.last)
        self._edges: Edges | None = None
        self._read: dict[Any, Rows] = {}  # a question's totals and groups read the same cells

    def _summed(self, scope: Scope, days: Days, measures: Sequence[int]) -> Sums:
        """The cells' counts per group and measure; each set of cells read once."""
        asked = (scope.dimensions, scope.keys, tuple(days), tuple(measures))
        if asked not in self._read:
            self._read[asked] = _cells(
                self.connection, scope.dimensions, scope.keys, days, measures
            )
        return _named(self._read[asked], scope)

    @property
    def edges(self) -> Edges:
        if self._edges is None:
            self._edges = _edges(self.connection, self.start, self.end, self.first, self.last)
        return self._edges

    def moving(self, scope: Scope) -> int:
        """Incidents raised or resolved on the period's whole days (an incident raised and
        resolved in it counts twice: this only chooses how to answer)."""
        sums = self._summed(scope, self.days, ALL_MEASURES)  # the figures read them next
        return sum(sum(b.values()) for (_, m), b in sums.items() if m in (RAISED, RESOLVED))

    def figures(self, scope: Scope) -> dict[str, Figures]:
        """{group: its figures}, for the groups with anything in the period."""
        sums = _with_edges(self._summed(scope, self.days, ALL_MEASURES), self.edges.period, scope)
        opened = self.open_at_end(scope)
        found: dict[str, Figures] = {}
        for key in {key for key, _ in sums} | set(opened):
            figures = Figures(
                sum(sums.get((key, RAISED), Counter()).values()),
                sum(sums.get((key, RESOLVED), Counter()).values()),
                opened.get(key, 0),
                _ranked(sums.get((key, TO_ACKNOWLEDGE), Counter())),
                _ranked(sums.get((key, TO_RESOLVE), Counter())),
            )
            if figures.raised or figures.resolved or figures.open_at_end:
                found[key] = figures
        return found

    def open_at_end(self, scope: Scope) -> dict[str, int]:
        """{group: incidents raised before the end and not resolved before it}: all those
        raised before it, less all those resolved before it."""
        before = (BLOCK, _EARLIEST_DAY, self.last // BLOCK * BLOCK)
        days = [before, (1, self.last // BLOCK * BLOCK, self.last)]
        sums = _with_edges(self._summed(scope, days, (RAISED, RESOLVED)), self.edges.tail, scope)
        opened: Counter[str] = Counter()
        for (key, measure), buckets in sums.items():
            opened[key] += sum(buckets.values()) * (1 if measure == RAISED else -1)
        return {key: n for key, n in opened.items() if n}

    def totals(self, scope: Scope) -> Figures:
        """A totals scope has one group: the one key, or every cell named "" (a plan's)."""
        return next(iter(self.figures(scope).values()), Figures())

    def buckets(self, scope: Scope, width: int, open_at_end: int) -> list[Bucket]:
        """Raised and resolved per bucket, from the single-day cells (the period starts at a
        midnight, so every bucket is whole days, but for the hours after the last midnight)."""
        per_day = _summed_by_day(self.connection, scope, self.first, self.last)
        counts: dict[int, dict[int, int]] = {RAISED: Counter(), RESOLVED: Counter()}
        for (day, measure), n in per_day.items():
            counts[measure][(day * DAY_MS - self.start) // width] += n
        tail = _with_edges({}, self.edges.tail, scope)
        at_last = (self.last * DAY_MS - self.start) // width
        for (_, measure), buckets in tail.items():
            if measure in counts:
                counts[measure][at_last] += sum(buckets.values())
        return walked_back(
            self.start, self.end, width, counts[RAISED], counts[RESOLVED], open_at_end
        )

    def noisiest(self, limit: int) -> list[NoisyAsset]:
        sums = self._summed(Scope((ASSET,)), self.days, (RAISED,))
        raised: Counter[int] = Counter()
        for (key, _), buckets in sums.items():
            raised[int(key)] += sum(buckets.values())
        raised.update({int(k): n for k, n in self.edges.assets.items()})
        top = sorted(((-n, asset_id) for asset_id, n in raised.items() if n > 0))[:limit]
        return named(self.connection, [(asset_id, -n) for n, asset_id in top])


def _summed_by_day(
    connection: Connection, scope: Scope, first: int, last: int
) -> dict[tuple[int, int], int]:
    """{(day, RAISED or RESOLVED): incidents} from the single-day cells."""
    query = (
        select(_R.first_day, _R.measure, func.sum(_R.n))
        .where(
            _R.dimension.in_(scope.dimensions),
            _R.span_days == 1,
            _R.first_day >= first,
            _R.first_day < last,
            _R.measure.in_((RAISED, RESOLVED)),
        )
        .group_by(_R.first_day, _R.measure)
    )
    if scope.keys:
        query = query.where(_R.group_key.in_(scope.keys))
    return {(day, measure): int(n) for day, measure, n in connection.execute(query)}


def named(connection: Connection, top: list[tuple[int, int]]) -> list[NoisyAsset]:
    """The (asset id, incidents raised) pairs with each asset's URN and name."""
    names = {
        asset_id: (urn, name)
        for asset_id, urn, name in connection.execute(
            select(ASSETS.c.id, ASSETS.c.urn, ASSETS.c.name).where(
                ASSETS.c.id.in_([asset_id for asset_id, _ in top])
            )
        )
    }
    return [NoisyAsset(*names[asset_id], n) for asset_id, n in top if asset_id in names]


def group_name(grouping: str, key: str) -> str:
    if grouping == "PRIORITY" and key != rollups.NO_PRIORITY:
        return NUMBER_TO_PRIORITY[int(key)]
    return key
