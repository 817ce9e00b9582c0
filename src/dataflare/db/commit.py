"""The end of a write transaction, in one named place: the steps services asked to run last
(`before_commit`), the statements a change asked to send with the COMMIT (`end_with`), then the
commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from dataflare.db.driver import DriverStatement, run_with_commit

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


def end_with(
    session: Session, statements: Sequence[DriverStatement], params: Mapping[str, Any]
) -> bool:
    """Keep these statements to send with the COMMIT, in one round trip, and answer True; or
    answer False, and the caller runs them itself. Only a PostgreSQL transaction whose owner
    said it ends after one change, with nothing else asked for its end, keeps them: a change
    that locks a row many writers share (an asset's incident summary) then holds the lock for
    no round trip at all, where it held it for two, plus the wait for Python's GIL between them.
    Nothing may change what these statements read or write after them in the transaction."""
    info = session.info
    if (
        not info.get(_ENDS_AFTER_ONE_CHANGE)
        or session.get_bind().dialect.name != "postgresql"
        or session.in_nested_transaction()
        or info.get(_BEFORE_COMMIT)
        or _WITH_COMMIT in info
    ):
        return False
    info[_WITH_COMMIT] = (statements, params)
    return True


def finish(session: Session) -> None:
    """Commit: the steps asked to run last, the statements kept for the COMMIT, the commit."""
    steps: dict[str, Callable[[Session], None]] = session.info.pop(_BEFORE_COMMIT, {})
    kept: tuple[Sequence[DriverStatement], Mapping[str, Any]] | None = session.info.pop(
        _WITH_COMMIT, None
    )
    if kept is not None and not steps:
        statements, params = kept
        run_with_commit(session.connection(), statements, params)
    else:
        if kept is not None:  # a step asked for after them: theirs are the first locks still
            statements, params = kept
            connection = session.connection()
            for statement in statements:
                statement.run(connection, params)
        for step in steps.values():
            step(session)
    session.commit()  # after run_with_commit, the driver finds nothing left to commit
