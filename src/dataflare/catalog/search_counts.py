"""Counts of the assets a "Has Active Incidents" search finds (active incidents, not removed),
per owner and per (type, platform), so that this search alone reads two small tables for its
total and facets instead of every match.

How they are kept, in two explicit steps:
1. A change that may move an asset in or out of that set, or replace the owners of one in it,
   notes the asset here: `note_change` with the states before and after that the statement
   making the change answered, or `note_assets` before changing it through the ORM. The first
   note of an asset in a transaction records the asset as it was when the transaction began.
2. `write` runs last in every write transaction (`Database.session` calls it before commit): it
   takes the noted assets as they are now (read again, unless the last change's answer is sure
   to stand), and adds the difference to the counts, in key order, so concurrent writers take
   the count rows' locks last and all in one order and never wait on each other in a cycle. The
   owners of an asset that entered or left the set are counted from the ownership table by the
   statement that adds them.

Comparing the first state with the last one, rather than adding up each move as it happens,
keeps the counts exact when a savepoint rolls back: whatever it undid is simply not in the last
state, and the first state is still the state before the transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSET_OWNERS, ASSETS, KIND_COUNTS, OWNER_COUNTS
from dataflare.db.commit import before_commit

_PENDING = "dataflare.search_counts"
_CHUNK = 1000  # ids per IN (...): PostgreSQL takes at most 65,535 parameters a statement


@dataclass(frozen=True)
class AssetState:
    """An asset as the counts see it."""

    asset_id: int
    kind: str
    platform: str
    found: bool  # an active incident, and not removed


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


def note_assets(session: Session, asset_ids: Sequence[int], owners_change: bool = False) -> None:
    """These assets are about to change (removed or restored; with `owners_change`, their owners
    replaced): read them as they are now. Locks their rows on PostgreSQL until the transaction
    ends, so their state cannot change meanwhile."""
    pending = _pending(session)
    connection = session.connection()
    new = [i for i in asset_ids if i not in pending]
    for state in _states(connection, new, lock=True):
        pending[state.asset_id] = _Noted(state)
    for asset_id in asset_ids:
        pending[asset_id].last = None  # changed through the ORM: read it again at the end
    if owners_change:
        unknown = [i for i in asset_ids if pending[i].owners is None]
        owners = _owners(connection, unknown)
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
    kinds: Counter[tuple[str, str]] = Counter()
    owners: Counter[str] = Counter()
    entered: list[int] = []
    left: list[int] = []
    replaced: list[tuple[int, bool, bool, list[str]]] = []
    for asset_id, noted in pending.items():
        was, is_ = noted.first.found, _found(last.get(asset_id))
        if noted.owners is not None:
            replaced.append((asset_id, was, is_, noted.owners))
        elif was != is_:
            (entered if is_ else left).append(asset_id)
        if was != is_:
            kinds[(noted.first.kind, noted.first.platform)] += 1 if is_ else -1
    if replaced:  # owners before and after differ: both known here
        now_owned = _owners(connection, [asset_id for asset_id, *_ in replaced])
        for asset_id, was, is_, before in replaced:
            if was:
                owners.subtract(before)
            if is_:
                owners.update(now_owned.get(asset_id, []))
    _add(
        connection,
        sorted((k, n) for k, n in owners.items() if n),
        sorted((k, n) for k, n in kinds.items() if n),
    )
    # Owners unchanged: count them straight from the ownership table, in one statement each.
    _add_owners_of(connection, sorted(entered), +1)
    _add_owners_of(connection, sorted(left), -1)


def _found(state: AssetState | None) -> bool:
    return state is not None and state.found


def _states(connection: Connection, asset_ids: list[int], lock: bool) -> Iterator[AssetState]:
    columns = ASSETS.c
    for chunk in _chunks(sorted(asset_ids)):
        query = select(
            columns.id, columns.kind, columns.platform, columns.active_incidents, columns.removed
        ).where(columns.id.in_(chunk))
        if lock and connection.dialect.name != "sqlite":  # SQLite has one writer already
            # NO KEY UPDATE, in id order: as incidents lock their assets (incidents/summary.py).
            query = query.order_by(columns.id).with_for_update(key_share=True)
        for asset_id, kind, platform, active, removed in connection.execute(query):
            yield AssetState(asset_id, kind, platform, active > 0 and not removed)


def _owners(connection: Connection, asset_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for chunk in _chunks(sorted(asset_ids)):
        rows = connection.execute(
            select(ASSET_OWNERS.c.asset_id, ASSET_OWNERS.c.owner_urn).where(
                ASSET_OWNERS.c.asset_id.in_(chunk)
            )
        )
        for asset_id, owner in rows:
            found.setdefault(asset_id, []).append(owner)
    return found


def _chunks(values: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _add_owners_of(connection: Connection, asset_ids: list[int], delta: int) -> None:
    """Add `delta` to the count of every owner of these assets, once for each asset owned."""
    for chunk in _chunks(asset_ids):
        owned = (
            select(ASSET_OWNERS.c.owner_urn, (func.count() * delta).label("assets"))
            .where(ASSET_OWNERS.c.asset_id.in_(chunk))
            .group_by(ASSET_OWNERS.c.owner_urn)
            .order_by(ASSET_OWNERS.c.owner_urn)  # rows locked in key order, as _add does
        )
        insert = _DIALECTS[connection.dialect.name].insert(OWNER_COUNTS)
        connection.execute(
            insert.from_select(["owner_urn", "assets"], owned).on_conflict_do_update(
                index_elements=["owner_urn"],
                set_={"assets": OWNER_COUNTS.c.assets + insert.excluded.assets},
            )
        )


def _upsert(dialect: Any, table: Any, keys: list[str]) -> Any:
    insert = dialect.insert(table)
    return insert.on_conflict_do_update(
        index_elements=keys, set_={"assets": table.c.assets + insert.excluded.assets}
    )


_DIALECTS: dict[str, Any] = {"postgresql": postgresql, "sqlite": sqlite}
_ADD_TO_OWNERS = {
    "postgresql": _upsert(postgresql, OWNER_COUNTS, ["owner_urn"]),
    "sqlite": _upsert(sqlite, OWNER_COUNTS, ["owner_urn"]),
}
_ADD_TO_KINDS = {
    "postgresql": _upsert(postgresql, KIND_COUNTS, ["kind", "platform"]),
    "sqlite": _upsert(sqlite, KIND_COUNTS, ["kind", "platform"]),
}


def _add(
    connection: Connection,
    owners: list[tuple[str, int]],
    kinds: list[tuple[tuple[str, str], int]],
) -> None:
    dialect = connection.dialect.name
    if owners:
        connection.execute(
            _ADD_TO_OWNERS[dialect], [{"owner_urn": k, "assets": n} for k, n in owners]
        )
    if kinds:
        connection.execute(
            _ADD_TO_KINDS[dialect],
            [{"kind": kind, "platform": platform, "assets": n} for (kind, platform), n in kinds],
        )


def kind_counts(connection: Connection) -> list[tuple[str, str, int]]:
    """(type, platform, assets found) for every pair with at least one."""
    rows = connection.execute(
        select(KIND_COUNTS.c.kind, KIND_COUNTS.c.platform, KIND_COUNTS.c.assets).where(
            KIND_COUNTS.c.assets > 0
        )
    )
    return [(kind, platform, n) for kind, platform, n in rows]


def top_owner_counts(connection: Connection, limit: int) -> list[tuple[str, int]]:
    """The owners of the most assets found, most first, then by URN."""
    rows = connection.execute(
        select(OWNER_COUNTS.c.owner_urn, OWNER_COUNTS.c.assets)
        .where(OWNER_COUNTS.c.assets > 0)
        .order_by(OWNER_COUNTS.c.assets.desc(), OWNER_COUNTS.c.owner_urn)
        .limit(limit)
    )
    return [(owner, n) for owner, n in rows]
