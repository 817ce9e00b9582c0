"""The end of a write transaction, in one named place: the steps services asked to run last
(`before_commit`), the statements a change asked to send with the COMMIT (`end_with`), then the
commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from dataflare.db.driver import Write, run_with_commit

_BEFORE_COMMIT = "dataflare.before_commit"
_ENDS_AFTER_ONE_CHANGE = "dataflare.ends_after_one_change"
_WITH_COMMIT = "dataflare.with_commit"


def before_commit(session: Session, name: str, step: Callable[[Session], None]) -> None:
    """Have `step(session)` run once, last, when this session's transaction is about to commit
    (a step asked for again under the same name runs once). For writes best made at the end,
    such as counters many writers share: their rows are then locked for the least time."""
    session.info.setdefault(_BEFORE_COMMIT, {})[name] = step


def ends_after_one_change(session: Session) -> None:
    """Said by the owner of a transaction that commits it as soon as the one change it runs
    (one GraphQL mutation, on PostgreSQL) is done: that change may then end with `end_with`."""
    session.info[_ENDS_AFTER_ONE_CHANGE] = True


def end_with(session: Session, writes: Sequence[Write]) -> bool:
    """Keep these writes to send with the COMMIT, after those kept before, in one round trip,
    and answer True; or answer False, and the caller runs them itself (`run_or_end_with`).
    Only a PostgreSQL transaction whose owner said it ends after one change, with nothing else
    asked for its end, keeps them: a change that locks a row many writers share (an asset's
    incident summary) then holds the lock for no round trip at all, where it held it for two,
    plus the wait for Python's GIL between them. Nothing may read what they write, or change
    what they read, after them in the transaction."""
    info = session.info
    if (
        not info.get(_ENDS_AFTER_ONE_CHANGE)
        or session.get_bind().dialect.name != "postgresql"
        or session.in_nested_transaction()
        or info.get(_BEFORE_COMMIT)
    ):
        return False
    info.setdefault(_WITH_COMMIT, []).extend(writes)
    return True


def run_or_end_with(session: Session, writes: Sequence[Write]) -> None:
    """These writes, kept for the COMMIT when `end_with` takes them, or else run now."""
    if not end_with(session, writes):
        connection = session.connection()
        for statement, params in writes:
            statement.run(connection, params)


def finish(session: Session) -> None:
    """Commit: the steps asked to run last, the writes kept for the COMMIT, the commit."""
    steps: dict[str, Callable[[Session], None]] = session.info.pop(_BEFORE_COMMIT, {})
    kept: list[Write] = session.info.pop(_WITH_COMMIT, [])
    if kept and not steps:
        session.flush()  # whatever the ORM still holds goes before the COMMIT, not after it
        run_with_commit(session.connection(), kept)
    else:
        # A step asked for after the writes were kept: they still come first, as their locks.
        for statement, params in kept:
            statement.run(session.connection(), params)
        for step in steps.values():
            step(session)
    session.commit()  # after run_with_commit, the driver finds nothing left to commit
