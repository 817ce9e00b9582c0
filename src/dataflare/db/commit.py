"""The end of a write transaction, in one named place: the steps services asked to run last
(`before_commit`), then the commit."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

_BEFORE_COMMIT = "dataflare.before_commit"


def before_commit(session: Session, name: str, step: Callable[[Session], None]) -> None:
    """Have `step(session)` run once, last, when this session's transaction is about to commit
    (a step asked for again under the same name runs once). For writes best made at the end,
    such as counters many writers share: their rows are then locked for the least time."""
    session.info.setdefault(_BEFORE_COMMIT, {})[name] = step


def finish(session: Session) -> None:
    """Commit: the steps asked to run last, then the commit."""
    steps: dict[str, Callable[[Session], None]] = session.info.pop(_BEFORE_COMMIT, {})
    for step in steps.values():
        step(session)
    session.commit()
