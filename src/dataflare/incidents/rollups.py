"""The incident figures rolled up per group and per day, kept in the transaction of every change
that moves them, so that figures over a long history sum a few thousand rows instead of reading
every incident of the period (incidents/stats_rollups.py reads them; docs/insights.md says when).

A cell counts, for one group (everything; a type, a priority, a platform, an owner, an asset;
or a type-and-priority pair, for filtered questions) and one stretch of days (a day, or 16 days
from a multiple of 16):

- RAISED: the incidents raised on those days (the only measure kept per asset, for the noisiest);
- RESOLVED: those whose last resolution falls on them and that are resolved now;
- TO_ACKNOWLEDGE: per duration bucket, those raised on them and acknowledged, by how long that took;
- TO_RESOLVE: per duration bucket, those resolved on them, by how long from the raise.

An incident counts once per group, however many of its assets are in it, as the exact figures
count it; a removed (soft-deleted) incident counts nowhere. Each change subtracts what the
incident added before and adds what it adds now: `moved` for a change to an incident,
`owners_moving` for assets whose owners are replaced. The cells are written in one order (their
key), last: on PostgreSQL with the COMMIT when the change ends its transaction
(db/commit.end_with), so the rows every raise of a day shares are locked for the least time;
for a transaction of many changes (an ingested batch), summed and written once at its end."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Integer,
    Select,
    Text,
    bindparam,
    false,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from dataflare.catalog import owner_changes
from dataflare.catalog.models import ASSET_OWNERS, ASSETS
from dataflare.db.chunks import among, chunks
from dataflare.db.commit import before_commit, end_with
from dataflare.db.driver import DriverStatement, Write
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENT_ROLLUPS, INCIDENTS, Incident

DAY_MS = 86_400_000
SPANS = (1, 16)  # the days a cell covers: a long period is mostly 16-day cells
# Each duration bucket is 5% wider than the one before it, so a rank read from the buckets is
# within (GROWTH - 1) / (GROWTH + 1) = 2.44% of the exact one.
GROWTH = 1.05
RELATIVE_ERROR = (GROWTH - 1) / (GROWTH + 1)
RAISED, RESOLVED, TO_ACKNOWLEDGE, TO_RESOLVE = 0, 1, 2, 3
ALL, TYPE, PRIORITY, PLATFORM, OWNER, ASSET = "A", "T", "R", "P", "O", "S"
NO_PRIORITY = "NONE"
CHUNK = 1_000  # keys per IN list

_LOG_GROWTH = math.log(GROWTH)
_R = INCIDENT_ROLLUPS.c
CELL_KEY = ("dimension", "group_key", "span_days", "first_day", "measure", "bucket")
_COLUMNS = (*CELL_KEY, "n")
Cell = tuple[str, str, int, int, int, int]  # in the order of CELL_KEY


def bucket(duration: int) -> int:
    """The bucket of a duration in ms: 0 for none (or less), b >= 1 for [GROWTH^(b-1), GROWTH^b)."""
    if duration <= 0:
        return 0
    return 1 + int(math.log(duration) / _LOG_GROWTH)


def value(bucket_number: int) -> int:
    """The duration a bucket stands for: the point its bounds are both nearest to, relatively."""
    if bucket_number <= 0:
        return 0
    return round(2 * GROWTH**bucket_number / (GROWTH + 1))


@dataclass(frozen=True)
class Facts:
    """What an incident's cells depend on."""

    created_at: int
    resolved_at: int | None
    acknowledged_at: int | None
    incident_type: str
    priority: int | None
    asset_ids: frozenset[int]


@dataclass(frozen=True)
class AssetKeys:
    platform: str
    owners: frozenset[str]


def of_incident(incident: Incident) -> Facts | None:
    """The loaded incident's facts; None for a removed one (it counts nowhere)."""
    if incident.removed:
        return None
    return Facts(
        incident.created_at,
        incident.resolved_at,
        incident.acknowledged_at,
        incident.incident_type,
        incident.priority,
        frozenset(link.asset_id for link in incident.assets),
    )


def _events(
    created_at: int, resolved_at: int | None, acknowledged_at: int | None
) -> list[tuple[int, int, int]]:
    """(measure, day, bucket) of each thing the incident counts for."""
    created_day = created_at // DAY_MS
    events = [(RAISED, created_day, 0)]
    if acknowledged_at is not None:
        events.append((TO_ACKNOWLEDGE, created_day, bucket(acknowledged_at - created_at)))
    if resolved_at is not None:
        resolved_day = resolved_at // DAY_MS
        events.append((RESOLVED, resolved_day, 0))
        events.append((TO_RESOLVE, resolved_day, bucket(resolved_at - created_at)))
    return events


def _count(
    cells: Counter[Cell],
    events: Iterable[tuple[int, int, int]],
    keys: Iterable[tuple[str, str]],
    sign: int,
) -> None:
    for dimension, key in keys:
        for measure, day, bucket_number in events:
            for span in SPANS:
                cells[dimension, key, span, day - day % span, measure, bucket_number] += sign


def priority_key(priority: int | None) -> str:
    return NO_PRIORITY if priority is None else str(priority)


def type_and_priority(incident_type: str, priority: str) -> str:
    """The slice of one type and one priority (a priority_key)."""
    return f"TR:{incident_type}|{priority}"


def keys_of(facts: Facts, assets: Mapping[int, AssetKeys]) -> list[tuple[str, str]]:
    """The (dimension, group key) pairs the incident is in, each once; not its assets.

    Beside the five groupings (everything, type, priority, platform, owner), its slice of one
    type and one priority lets questions filtered on types and priorities be summed too."""
    found = [assets[i] for i in facts.asset_ids if i in assets]
    priority = priority_key(facts.priority)
    keys = [(ALL, ""), (TYPE, facts.incident_type), (PRIORITY, priority)]
    keys += [(PLATFORM, platform) for platform in sorted({a.platform for a in found})]
    keys += [(OWNER, owner) for owner in sorted(frozenset().union(*(a.owners for a in found)))]
    keys.append((type_and_priority(facts.incident_type, priority), ""))
    return keys


def events(facts: Facts) -> list[tuple[int, int, int]]:
    return _events(facts.created_at, facts.resolved_at, facts.acknowledged_at)


def add(cells: Counter[Cell], facts: Facts, assets: Mapping[int, AssetKeys], sign: int) -> None:
    """Add (sign 1) or take away (-1) what the incident counts for."""
    _count(cells, events(facts), keys_of(facts, assets), sign)
    created_day = facts.created_at // DAY_MS
    _count(cells, [(RAISED, created_day, 0)], [(ASSET, str(i)) for i in facts.asset_ids], sign)


_KEYS_OF_ASSET = DriverStatement(
    select(ASSETS.c.platform, ASSET_OWNERS.c.owner_urn)
    .select_from(ASSETS.outerjoin(ASSET_OWNERS, ASSET_OWNERS.c.asset_id == ASSETS.c.id))
    .where(ASSETS.c.id == bindparam("asset_id"))
)
FEW_ASSETS = 8  # on SQLite, asked one by one on the driver; more, in IN lists


def asset_keys(connection: Connection, asset_ids: Collection[int]) -> dict[int, AssetKeys]:
    """Each asset's platform and owners, as they are now. A change's one asset, or a few on
    SQLite, by a plain statement each: the cheapest way (a query through SQLAlchemy's Core
    cost a raise 0.34 ms); a few on PostgreSQL in one statement, for one round trip."""
    found: dict[int, tuple[str, set[str]]] = {}
    sqlite_few = connection.dialect.name == "sqlite" and len(asset_ids) <= FEW_ASSETS
    if len(asset_ids) == 1 or sqlite_few:
        for asset_id in asset_ids:
            for platform, owner in _KEYS_OF_ASSET.rows(connection, {"asset_id": asset_id}):
                found.setdefault(asset_id, (platform, set()))[1].add(owner)
    else:
        for chunk in chunks(sorted(asset_ids), CHUNK):
            query = (
                select(ASSETS.c.id, ASSETS.c.platform, ASSET_OWNERS.c.owner_urn)
                .select_from(ASSETS.outerjoin(ASSET_OWNERS, ASSET_OWNERS.c.asset_id == ASSETS.c.id))
                .where(among(ASSETS.c.id, chunk, connection.dialect.name))
            )
            for asset_id, platform, owner in connection.execute(query):
                found.setdefault(asset_id, (platform, set()))[1].add(owner)
    return {
        i: AssetKeys(platform, frozenset(o for o in owners if o is not None))
        for i, (platform, owners) in found.items()
    }


def moved(session: Session, before: Facts | None, after: Facts | None) -> None:
    """An incident changed from `before` to `after` (None: not counted: new, removed or gone)."""
    if before == after:
        return
    asset_ids = (before.asset_ids if before else frozenset()) | (
        after.asset_ids if after else frozenset()
    )
    assets = asset_keys(session.connection(), asset_ids)
    cells: Counter[Cell] = Counter()
    if before is not None:
        add(cells, before, assets, -1)
    if after is not None:
        add(cells, after, assets, +1)
    write(session, cells)


def owners_moving(session: Session, new_owners: Mapping[int, Collection[str]]) -> None:
    """These assets' owners are about to be replaced by the ones given: move their incidents'
    cells that depend on owners. Called (catalog.owner_changes) before the owner rows change:
    it reads the owners as they were."""
    connection = session.connection()
    before = asset_keys(connection, new_owners.keys())
    changed = {
        asset_id: AssetKeys(before[asset_id].platform, frozenset(owners))
        for asset_id, owners in new_owners.items()
        if asset_id in before and frozenset(owners) != before[asset_id].owners
    }
    if not changed:
        return
    linked: set[int] = set()  # an incident on two of the assets, once
    for chunk in chunks(sorted(changed), CHUNK):
        on_changed = select(INCIDENT_ASSETS.c.incident_id).where(
            among(INCIDENT_ASSETS.c.asset_id, chunk, connection.dialect.name)
        )
        linked.update(connection.scalars(on_changed))
    facts: list[Facts] = []
    for chunk in chunks(sorted(linked), CHUNK):
        chosen = among(INCIDENTS.c.id, chunk, connection.dialect.name)
        facts += gathered(connection.execute(facts_query(chosen)))
    others = set().union(*(f.asset_ids for f in facts)) - before.keys()
    then = {**before, **asset_keys(connection, others)}
    now = {**then, **changed}
    cells: Counter[Cell] = Counter()
    for fact in facts:
        add(cells, fact, then, -1)
        add(cells, fact, now, +1)  # all but the cells of owners cancel out
    write(session, cells)


_PENDING = "dataflare.rollups.pending"  # the cells a transaction writes last
ROWS_PER_STATEMENT = 1_000  # an upsert's rows at most (7 values each, well within the limits)


@cache
def _upsert_rows(rows: int) -> DriverStatement:
    """SQLite's upsert adding to `rows` cells at once (built by its dialect's insert, which the
    other cannot compile: so none is held per module). Parameters are the cells' names, numbered
    from 0 when rows > 1."""
    if rows == 1:
        values: Any = {name: bindparam(name) for name in _COLUMNS}
    else:
        values = [{name: bindparam(f"{name}_{i}") for name in _COLUMNS} for i in range(rows)]
    statement = sqlite.insert(INCIDENT_ROLLUPS).values(values)
    added = statement.on_conflict_do_update(
        index_elements=[_R[name] for name in CELL_KEY], set_={"n": _R.n + statement.excluded.n}
    )
    return DriverStatement(added)


def _rows(cells: Counter[Cell]) -> list[dict[str, Any]]:
    ordered = sorted(cells.items())
    return [{**dict(zip(CELL_KEY, cell, strict=True)), "n": n} for cell, n in ordered if n]


def _writes(dialect_name: str, rows: list[dict[str, Any]]) -> list[Write]:
    """One statement per ROWS_PER_STATEMENT rows, parsed and planned once for all of them. On
    PostgreSQL the rows go as seven arrays: the values bound in the text for the COMMIT's
    round trip (db/driver.run_with_commit) cost a third of what as many scalars cost."""
    writes: list[Write] = []
    for chunk in chunks(rows, ROWS_PER_STATEMENT):
        if dialect_name == "postgresql":
            arrays = {name: [row[name] for row in chunk] for name in _COLUMNS}
            writes.append((_upsert_arrays(), arrays))
        elif len(chunk) == 1:
            writes.append((_upsert_rows(1), chunk[0]))
        else:
            numbered = {f"{name}_{i}": v for i, row in enumerate(chunk) for name, v in row.items()}
            writes.append((_upsert_rows(len(chunk)), numbered))
    return writes


@cache
def _upsert_arrays() -> DriverStatement:
    """PostgreSQL's upsert of the cells given as one array per column, in their order."""
    types: dict[str, Any] = {"dimension": Text, "group_key": Text, "n": BigInteger}
    arrays = [bindparam(name, type_=ARRAY(types.get(name, Integer))) for name in _COLUMNS]
    given = func.unnest(*arrays).table_valued(*_COLUMNS).render_derived()
    statement = postgresql.insert(INCIDENT_ROLLUPS)
    added = statement.from_select(
        list(_COLUMNS), select(*(given.c[name] for name in _COLUMNS))
    ).on_conflict_do_update(
        index_elements=[_R[name] for name in CELL_KEY], set_={"n": _R.n + statement.excluded.n}
    )
    return DriverStatement(added)


def write(session: Session, cells: Counter[Cell]) -> None:
    """Add these amounts to the cells, in key order: with the COMMIT when the transaction ends
    after this change on PostgreSQL; else summed with the transaction's other changes and
    written once, last (db/commit.before_commit). A batch writing cells change by change would
    lock them in several runs of key order, and two batches, or a batch and a raise, could each
    hold a cell the other waits for. Inside a savepoint, which may still be undone, now."""
    rows = _rows(cells)
    if not rows:
        return
    writes = _writes(session.get_bind().dialect.name, rows)
    if end_with(session, writes):
        return
    if session.in_nested_transaction():
        _run(session, writes)
        return
    pending: Counter[Cell] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = Counter()
        before_commit(session, _PENDING, _write_pending)
    pending.update(cells)  # adds, negative amounts too


def _write_pending(session: Session) -> None:
    cells: Counter[Cell] = session.info.pop(_PENDING, Counter())
    _run(session, _writes(session.get_bind().dialect.name, _rows(cells)))


def _run(session: Session, writes: list[Write]) -> None:
    connection = session.connection()
    for statement, params in writes:
        statement.run(connection, params)


def facts_query(*conditions: ColumnElement[bool]) -> Select[Any]:
    """(incident id, the Facts' fields, one asset id) rows of the incidents not removed that meet
    the conditions, by incident: `gathered` makes Facts of them."""
    return (
        select(
            INCIDENTS.c.id,
            INCIDENTS.c.created_at,
            INCIDENTS.c.resolved_at,
            INCIDENTS.c.acknowledged_at,
            INCIDENTS.c.incident_type,
            INCIDENTS.c.priority,
            INCIDENT_ASSETS.c.asset_id,
        )
        .select_from(
            INCIDENTS.outerjoin(INCIDENT_ASSETS, INCIDENT_ASSETS.c.incident_id == INCIDENTS.c.id)
        )
        .where(INCIDENTS.c.removed.is_(false()), *conditions)
        .order_by(INCIDENTS.c.id)
    )


def gathered(rows: Iterable[Any]) -> Iterator[Facts]:
    """The Facts of each incident of `facts_query`'s rows."""
    current: list[Any] | None = None
    for incident_id, *fields, asset_id in rows:
        if current is None or current[0] != incident_id:
            if current is not None:
                yield _facts(current)
            current = [incident_id, *fields, set()]
        if asset_id is not None:
            current[6].add(asset_id)
    if current is not None:
        yield _facts(current)


def _facts(row: list[Any]) -> Facts:
    _, created, resolved, acknowledged, kind, priority, asset_ids = row
    return Facts(created, resolved, acknowledged, kind, priority, frozenset(asset_ids))


owner_changes.listen(owners_moving)
