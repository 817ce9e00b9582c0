"""Counts of the assets a "Has Active Incidents" search finds (active incidents, not removed),
per owner and per (type, platform), so that this search alone reads two small tables for its
total and facets instead of every match.

Whatever moves an asset in or out of that set, or changes the owners of an asset in it, reports
the move here in its transaction, with the asset's row locked (summary.lock on PostgreSQL; SQLite
has one writer). The counts are written once, when the transaction commits, in key order:
concurrent writers take the count rows' locks last and all in one order, so they never wait on
each other in a cycle. A savepoint that rolls back takes its changes with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import Connection, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from dataflare.catalog.models import ASSET_OWNERS, KIND_COUNTS, OWNER_COUNTS

_PENDING = "dataflare.search_counts"


class Found(NamedTuple):
    """An asset as the counts see it."""

    asset_id: int
    kind: str
    platform: str


class _Pending:
    """Changes not written yet; a copy per open savepoint, to go back to if it rolls back."""

    def __init__(self) -> None:
        self.kinds: Counter[tuple[str, str]] = Counter()
        self.owners: Counter[str] = Counter()
        self.saved: dict[SessionTransaction, tuple[Counter[tuple[str, str]], Counter[str]]] = {}


def _pending(session: Session) -> _Pending:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = _Pending()
    return pending


def entered(session: Session, assets: Iterable[Found]) -> None:
    """These assets are now found by the search (an active incident, or restored)."""
    _move(session, list(assets), +1)


def left(session: Session, assets: Iterable[Found]) -> None:
    """These assets are no longer found (no active incident left, or removed). Call before
    their owners are deleted."""
    _move(session, list(assets), -1)


def owners_changed(session: Session, old: Iterable[str], new: Iterable[str]) -> None:
    """A found asset's owners were replaced."""
    owners = _pending(session).owners
    owners.subtract(set(old))
    owners.update(set(new))


def _move(session: Session, assets: list[Found], delta: int) -> None:
    if not assets:
        return
    session.flush()  # owners added in this transaction must be read below
    pending = _pending(session)
    for asset in assets:
        pending.kinds[(asset.kind, asset.platform)] += delta
    owned = session.connection().execute(
        select(ASSET_OWNERS.c.owner_urn).where(
            ASSET_OWNERS.c.asset_id.in_([a.asset_id for a in assets])
        )
    )
    for (owner,) in owned:
        pending.owners[owner] += delta


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


def _upsert(dialect: Any, table: Any, keys: list[str]) -> Any:
    insert = dialect.insert(table)
    return insert.on_conflict_do_update(
        index_elements=keys, set_={"assets": table.c.assets + insert.excluded.assets}
    )


_ADD_TO_OWNERS = {
    "postgresql": _upsert(postgresql, OWNER_COUNTS, ["owner_urn"]),
    "sqlite": _upsert(sqlite, OWNER_COUNTS, ["owner_urn"]),
}
_ADD_TO_KINDS = {
    "postgresql": _upsert(postgresql, KIND_COUNTS, ["kind", "platform"]),
    "sqlite": _upsert(sqlite, KIND_COUNTS, ["kind", "platform"]),
}


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if pending is None or session.in_nested_transaction():
        return  # a savepoint's changes are written with its transaction's, not before
    owners = sorted((k, n) for k, n in pending.owners.items() if n)
    kinds = sorted((k, n) for k, n in pending.kinds.items() if n)
    pending.owners, pending.kinds = Counter(), Counter()
    if not owners and not kinds:
        return
    connection = session.connection()
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


@event.listens_for(Session, "after_transaction_create")
def _save(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        pending = _pending(session)
        pending.saved[transaction] = (pending.kinds.copy(), pending.owners.copy())


@event.listens_for(Session, "after_soft_rollback")
def _restore(session: Session, transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending is not None and transaction in pending.saved:
        pending.kinds, pending.owners = pending.saved.pop(transaction)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
