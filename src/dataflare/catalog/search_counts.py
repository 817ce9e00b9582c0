"""Counts of the assets two searches find, per owner and per (type, platform), so that these
searches read small tables for their totals and facets instead of every match:
- "found": what a "Has Active Incidents" search finds (active incidents, not removed);
- "visible": what a "*" search finds (every asset not removed).

How they are kept, in two explicit steps:
1. A change that may move an asset in or out of those sets, or replace the owners of one in
   them, notes the asset here: `note_change` with the states before and after that the
   statement making the change answered, `note_registered` for an asset just registered, or
   `note_assets` before changing it through the ORM. The first note of an asset in a
   transaction records the asset as it was when the transaction began.
2. `write` runs last in every write transaction (db/commit.py runs it before the commit): it
   takes the noted assets as they are now (read again, unless the last change's answer is sure
   to stand), and adds the difference to the counts, in key order, so concurrent writers take
   the count rows' locks last and all in one order and never wait on each other in a cycle.
   The owners of an asset that entered or left a set with its owners unchanged are counted from
   the ownership table by the statement that adds them.

Comparing the first state with the last one, rather than adding up each move as it happens,
keeps the counts exact when a savepoint rolls back: whatever it undid is simply not in the last
state, and the first state is still the state before the transaction.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, and_, bindparam, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataflare.catalog.models import (
    ASSET_OWNERS,
    ASSETS,
    KIND_COUNTS,
    OWNER_COUNTS,
    VISIBLE_KIND_COUNTS,
    VISIBLE_OWNER_COUNTS,
)
from dataflare.db.chunks import among
from dataflare.db.commit import before_commit
from dataflare.db.driver import DriverStatement

_PENDING = "dataflare.search_counts"
_CHUNK = 1000  # ids per IN (...): PostgreSQL takes at most 65,535 parameters a statement


@dataclass(frozen=True)
class AssetState:
    """An asset as the counts see it."""

    asset_id: int
    kind: str
    platform: str
    found: bool  # an active incident, and not removed
    visible: bool  # registered and not removed


@dataclass
class _Noted:
    """A noted asset: as it was before the transaction changed it, and as it is after the last
    change when that is known for sure (noted outside any savepoint, from the statement that
    made the change); otherwise it is read again before commit."""

    first: AssetState
    last: AssetState | None = None
    owners: list[str] | None = None  # as they were, when they are replaced; None: unchanged


def _pending(session: Session) -> dict[int, _Noted]:
    pending: dict[int, _Noted] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = {}
        before_commit(session, _PENDING, write)
    return pending


def note_change(session: Session, changes: Iterable[tuple[AssetState, AssetState]]) -> None:
    """These assets changed from the first state of each pair to the second, as the statement
    that changed them (under its row lock) answered."""
    pending = _pending(session)
    # A savepoint may still roll back what was noted inside it: then read the state again.
    sure = not session.in_nested_transaction()
    for before, after in changes:
        noted = pending.get(before.asset_id)
        if noted is None:
            pending[before.asset_id] = _Noted(before, after if sure else None)
        elif noted.last is not None:
            noted.last = after if sure else None


def note_registered(session: Session, assets: Iterable[tuple[int, str, str]]) -> None:
    """These assets (id, type, platform) were just registered: before, they were nowhere and
    had no owners. Knowing that, `write` reads the owners they have at the end (one short read)
    instead of counting them from the ownership table (two statements that find none when the
    asset was registered by a raise)."""
    pending = _pending(session)
    sure = not session.in_nested_transaction()
    for asset_id, kind, platform in assets:
        if asset_id not in pending:
            after = AssetState(asset_id, kind, platform, False, True)
            pending[asset_id] = _Noted(
                AssetState(asset_id, kind, platform, False, False),
                after if sure else None,
                owners=[],
            )


def note_assets(
    session: Session,
    asset_ids: Sequence[int],
    owners_change: bool = False,
    owners_before: Mapping[int, list[str]] | None = None,
) -> None:
    """These assets are about to change (removed or restored; with `owners_change`, their owners
    replaced): read them as they are now (their owners from `owners_before` when the caller
    knows them). Locks their rows on PostgreSQL until the transaction ends, so their state
    cannot change meanwhile."""
    pending = _pending(session)
    connection = session.connection()
    new = [i for i in asset_ids if i not in pending]
    for state in _states(connection, new, lock=True):
        pending[state.asset_id] = _Noted(state)
    for asset_id in asset_ids:
        pending[asset_id].last = None  # changed through the ORM: read it again at the end
    if owners_change:
        given = owners_before or {}
        for asset_id in asset_ids:
            if pending[asset_id].owners is None and asset_id in given:
                pending[asset_id].owners = given[asset_id]
        unknown = [i for i in asset_ids if pending[i].owners is None]
        owners = _owners(connection, unknown) if unknown else {}
        for asset_id in unknown:
            pending[asset_id].owners = owners.get(asset_id, [])


def write(session: Session) -> None:
    """Add to the counts what the noted assets' changes add up to. Run before commit."""
    pending: dict[int, _Noted] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = session.connection()
    unsure = [i for i, noted in pending.items() if noted.last is None]
    last = {i: noted.last for i, noted in pending.items() if noted.last is not None}
    if unsure:
        # The ORM may still hold changes to these assets (their removed flag, owners added).
        session.flush()
        last.update((state.asset_id, state) for state in _states(connection, unsure, lock=False))
    replaced = [i for i, noted in pending.items() if noted.owners is not None]
    owned_by = _owners(connection, replaced) if replaced else {}
    found, visible = _Delta(), _Delta()
    for asset_id, noted in pending.items():
        now = last.get(asset_id)
        key = (noted.first.kind, noted.first.platform)
        if noted.owners is None:  # owners unchanged: counted from the table when they move
            found.move_kind(asset_id, key, noted.first.found, now is not None and now.found)
            visible.move_kind(asset_id, key, noted.first.visible, now is not None and now.visible)
        else:
            after = owned_by.get(asset_id, [])
            found.move(key, noted.first.found, now is not None and now.found, noted.owners, after)
            visible.move(
                key, noted.first.visible, now is not None and now.visible, noted.owners, after
            )
    _add(connection, _ADD_TO_OWNERS, _ADD_TO_KINDS, found)
    _add(connection, _ADD_TO_VISIBLE_OWNERS, _ADD_TO_VISIBLE_KINDS, visible)
    _add_owners_of(connection, OWNER_COUNTS, found)
    _add_owners_of(connection, VISIBLE_OWNER_COUNTS, visible)


class _Delta:
    """What one set's counts gain or lose, per (type, platform) and per (owner, type,
    platform)."""

    def __init__(self) -> None:
        self.kinds: Counter[tuple[str, str]] = Counter()
        self.owners: Counter[tuple[str, str, str]] = Counter()
        # Assets that entered (+1) or left (-1) the set with their owners unchanged: their
        # owners are counted from the ownership table.
        self.entered: list[int] = []
        self.left: list[int] = []

    def move_kind(self, asset_id: int, key: tuple[str, str], was: bool, is_: bool) -> None:
        if was != is_:
            self.kinds[key] += 1 if is_ else -1
            (self.entered if is_ else self.left).append(asset_id)

    def move(
        self, key: tuple[str, str], was: bool, is_: bool, before: list[str], after: list[str]
    ) -> None:
        if was == is_ and (not is_ or before == after):
            return  # still out of the set, or in it with the same owners
        if was:
            self.kinds[key] -= 1
            self.owners.subtract((owner, *key) for owner in before)
        if is_:
            self.kinds[key] += 1
            self.owners.update((owner, *key) for owner in after)


def _found(state: AssetState | None) -> bool:
    return state is not None and state.found


def _states(connection: Connection, asset_ids: list[int], lock: bool) -> Iterator[AssetState]:
    columns = ASSETS.c
    for chunk in _chunks(sorted(asset_ids)):
        query = select(
            columns.id, columns.kind, columns.platform, columns.active_incidents, columns.removed
        ).where(among(columns.id, chunk, connection.dialect.name))
        if lock and connection.dialect.name != "sqlite":  # SQLite has one writer already
            # NO KEY UPDATE, in id order: as incidents lock their assets (incidents/summary.py).
            query = query.order_by(columns.id).with_for_update(key_share=True)
        for asset_id, kind, platform, active, removed in connection.execute(query):
            yield AssetState(asset_id, kind, platform, active > 0 and not removed, not removed)


_OWNERS_OF_ONE = DriverStatement(
    select(ASSET_OWNERS.c.owner_urn).where(ASSET_OWNERS.c.asset_id == bindparam("asset_id"))
)


def _owners(connection: Connection, asset_ids: list[int]) -> dict[int, list[str]]:
    if len(asset_ids) == 1:  # an asset a raise registered: the most frequent case
        owned = _OWNERS_OF_ONE.rows(connection, {"asset_id": asset_ids[0]})
        return {asset_ids[0]: [owner for (owner,) in owned]} if owned else {}
    found: dict[int, list[str]] = {}
    for chunk in _chunks(sorted(asset_ids)):
        rows = connection.execute(
            select(ASSET_OWNERS.c.asset_id, ASSET_OWNERS.c.owner_urn).where(
                among(ASSET_OWNERS.c.asset_id, chunk, connection.dialect.name)
            )
        )
        for asset_id, owner in rows:
            found.setdefault(asset_id, []).append(owner)
    return found


def _chunks(values: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


OWNER_KEY = ["owner_urn", "kind", "platform"]


def _add_owners_of(connection: Connection, table: Any, delta: _Delta) -> None:
    """Count the owners of the assets that entered (+1) or left (-1) the set, per owner, type
    and platform, in one statement each, straight from the ownership table."""
    for asset_ids, sign in ((sorted(delta.entered), 1), (sorted(delta.left), -1)):
        for chunk in _chunks(asset_ids):
            o, a = ASSET_OWNERS.c, ASSETS.c
            owned = (
                select(o.owner_urn, a.kind, a.platform, (func.count() * sign).label("assets"))
                .join_from(ASSET_OWNERS, ASSETS, a.id == o.asset_id)
                .where(among(o.asset_id, chunk, connection.dialect.name))
                .group_by(o.owner_urn, a.kind, a.platform)
                .order_by(o.owner_urn, a.kind, a.platform)  # rows locked in key order
            )
            insert = _DIALECTS[connection.dialect.name].insert(table)
            connection.execute(
                insert.from_select([*OWNER_KEY, "assets"], owned).on_conflict_do_update(
                    index_elements=OWNER_KEY,
                    set_={"assets": table.c.assets + insert.excluded.assets},
                )
            )


_DIALECTS: dict[str, Any] = {"postgresql": postgresql, "sqlite": sqlite}


# Every raise that makes an asset unhealthy, and every asset registered, adds to a count per
# (type, platform): with one row each, concurrent writers queued on it (PostgreSQL: most waits of
# raises spread over many assets). Each thread writes to a shard of its own; readers sum them.
KIND_COUNT_SHARDS = 16
KIND_KEY = ["kind", "platform", "shard"]
_threads = itertools.count(os.getpid())
_this_thread = threading.local()


def _shard() -> int:
    shard: int | None = getattr(_this_thread, "shard", None)
    if shard is None:
        shard = _this_thread.shard = next(_threads) % KIND_COUNT_SHARDS
    return shard


# A raise that ends its transaction sends its asset's summary update and these with the COMMIT
# (incidents/summary.py, db/commit.end_with), so they decide in SQL what `write` would decide in
# Python: the asset entered the "found" set if the raise left it with exactly one active
# incident and it is not removed. Then it counts once more for its type and platform, and for
# each of its owners (in key order, as `write` locks them).
_ENTERED_FOUND = and_(
    ASSETS.c.id == bindparam("asset_id"),
    ASSETS.c.active_incidents == 1,
    ASSETS.c.removed.is_(False),
)


def _counted_if_found(table: Any, keys: list[str], rows: Any) -> DriverStatement:
    insert = postgresql.insert(table)
    return DriverStatement(
        insert.from_select([*keys, "assets"], rows).on_conflict_do_update(
            index_elements=keys, set_={"assets": table.c.assets + insert.excluded.assets}
        )
    )


COUNTED_AFTER_RAISE = [
    _counted_if_found(
        KIND_COUNTS,
        KIND_KEY,
        select(
            ASSETS.c.kind,
            ASSETS.c.platform,
            bindparam("shard", type_=Integer),
            literal(1, Integer),
        ).where(_ENTERED_FOUND),
    ),
    _counted_if_found(
        OWNER_COUNTS,
        OWNER_KEY,
        select(ASSET_OWNERS.c.owner_urn, ASSETS.c.kind, ASSETS.c.platform, literal(1, Integer))
        .join_from(ASSET_OWNERS, ASSETS, ASSETS.c.id == ASSET_OWNERS.c.asset_id)
        .where(_ENTERED_FOUND)
        .order_by(ASSET_OWNERS.c.owner_urn),
    ),
]


def counted_after_raise_params(asset_id: int) -> dict[str, Any]:
    return {"asset_id": asset_id, "shard": _shard()}


def _upsert(dialect: Any, table: Any, keys: list[str]) -> Any:
    insert = dialect.insert(table)
    return insert.on_conflict_do_update(
        index_elements=keys, set_={"assets": table.c.assets + insert.excluded.assets}
    )


def _adder(table: Any, keys: list[str]) -> dict[str, Any]:
    """The upsert adding to `table`'s counts, per dialect."""
    return {name: _upsert(dialect, table, keys) for name, dialect in _DIALECTS.items()}


_ADD_TO_OWNERS = _adder(OWNER_COUNTS, OWNER_KEY)
_ADD_TO_KINDS = _adder(KIND_COUNTS, KIND_KEY)
_ADD_TO_VISIBLE_OWNERS = _adder(VISIBLE_OWNER_COUNTS, OWNER_KEY)
_ADD_TO_VISIBLE_KINDS = _adder(VISIBLE_KIND_COUNTS, KIND_KEY)


def _add(
    connection: Connection, to_owners: dict[str, Any], to_kinds: dict[str, Any], delta: _Delta
) -> None:
    """In key order, so that concurrent writers lock the rows in one order."""
    dialect = connection.dialect.name
    owners = sorted((k, n) for k, n in delta.owners.items() if n)
    kinds = sorted((k, n) for k, n in delta.kinds.items() if n)
    if owners:
        connection.execute(
            to_owners[dialect],
            [
                {"owner_urn": owner, "kind": kind, "platform": platform, "assets": n}
                for (owner, kind, platform), n in owners
            ],
        )
    if kinds:
        shard = _shard()
        connection.execute(
            to_kinds[dialect],
            [
                {"kind": kind, "platform": platform, "shard": shard, "assets": n}
                for (kind, platform), n in kinds
            ],
        )


FOUND, VISIBLE, VISIBLE_NOT_FOUND = "found", "visible", "visible, not found"
_TABLES = {FOUND: (KIND_COUNTS, OWNER_COUNTS), VISIBLE: (VISIBLE_KIND_COUNTS, VISIBLE_OWNER_COUNTS)}


def _counted(which: str, table: int, key: list[str]) -> Any:
    """(key..., assets) of one set's counts; VISIBLE_NOT_FOUND is the difference of two."""
    if which != VISIBLE_NOT_FOUND:
        counts = _summed(_TABLES[which][table], key)
        return select(*(counts.c[k] for k in key), counts.c.assets.label("assets"))
    visible = _summed(_TABLES[VISIBLE][table], key)
    found = _summed(_TABLES[FOUND][table], key)
    return select(
        *(visible.c[k] for k in key),
        (visible.c.assets - func.coalesce(found.c.assets, 0)).label("assets"),
    ).outerjoin(found, and_(*(found.c[k] == visible.c[k] for k in key)))


def _summed(counts: Any, key: list[str]) -> Any:
    """A count table as one row per key: the shards of the kind counts summed."""
    if "shard" not in counts.c:
        return counts
    columns = [counts.c[k] for k in key]
    return select(*columns, func.sum(counts.c.assets).label("assets")).group_by(*columns).subquery()


def kind_counts(connection: Connection, which: str = FOUND) -> list[tuple[str, str, int]]:
    """(type, platform, assets) of a set, for every pair with at least one."""
    counts = _counted(which, 0, ["kind", "platform"]).subquery()
    rows = connection.execute(select(counts).where(counts.c.assets > 0))
    return [(kind, platform, n) for kind, platform, n in rows]


def top_owner_counts(
    connection: Connection,
    limit: int,
    which: str = FOUND,
    kinds: Collection[str] | None = None,
    platforms: Collection[str] | None = None,
) -> list[tuple[str, int]]:
    """The owners of the most assets of a set (of those types and platforms, when given), most
    first, then by URN."""
    counts = _counted(which, 1, OWNER_KEY).subquery()
    assets = func.sum(counts.c.assets)
    query = select(counts.c.owner_urn, assets).group_by(counts.c.owner_urn)
    if kinds is not None:
        query = query.where(counts.c.kind.in_(kinds))
    if platforms is not None:
        query = query.where(counts.c.platform.in_(platforms))
    rows = connection.execute(
        query.having(assets > 0).order_by(assets.desc(), counts.c.owner_urn).limit(limit)
    )
    return [(owner, int(n)) for owner, n in rows]
