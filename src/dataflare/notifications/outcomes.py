"""Recording what became of a delivery: done, to be retried, or dead. One small write per
delivery, made before the next is sent, so that a worker killed between two sends repeats at
most the one in flight. A worker makes hundreds a second, so each is one statement, written
once and handed to the driver.

An outcome is recorded only under the claim it was sent under: the same worker and the same
lease end. A worker whose lease ended, and whose delivery another worker has taken since, has
its outcome ignored (`record` answers False): it can neither finish nor requeue the other's
attempt, and the delivery is sent by the one that holds it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, bindparam, update

from dataflare.db.database import Database
from dataflare.db.driver import DriverStatement
from dataflare.notifications.models import DEAD, DELIVERIES, DONE, PENDING
from dataflare.notifications.queue import Claimed


def _update(**values: Any) -> DriverStatement:
    d = DELIVERIES.c
    return DriverStatement(
        update(DELIVERIES)
        .where(
            d.id == bindparam("id"),
            d.status == PENDING,
            d.claimed_by == bindparam("worker"),
            d.claimed_until == bindparam("until"),
        )
        .values(claimed_until=None, **values)
    )


_DONE = _update(status=DONE, finished_at=bindparam("now"), last_error=None)
_RETRY = _update(
    attempts=DELIVERIES.c.attempts + 1,
    last_error=bindparam("error"),
    next_attempt_at=bindparam("retry_at"),
)
_DEAD = _update(
    status=DEAD,
    attempts=DELIVERIES.c.attempts + 1,
    last_error=bindparam("error"),
    finished_at=bindparam("now"),
)


def delivered(item: Claimed, now: int) -> tuple[DriverStatement, dict[str, Any]]:
    return _DONE, _params(item, now=now)


def failed(
    item: Claimed, error: str, retry_at: int | None, now: int
) -> tuple[DriverStatement, dict[str, Any]]:
    """Retry at `retry_at`, or give up (dead) when it is None."""
    if retry_at is None:
        return _DEAD, _params(item, now=now, error=error[:2000])
    return _RETRY, _params(item, retry_at=retry_at, error=error[:2000])


def _params(item: Claimed, **values: Any) -> dict[str, Any]:
    return {"id": item.id, "worker": item.lease.worker, "until": item.lease.until, **values}


class OutcomeWriter:
    """Writes outcomes for one worker. On PostgreSQL, for a round of deliveries (`kept`), it
    keeps a connection in autocommit (each outcome one statement and one round trip, no BEGIN
    or COMMIT) with synchronous_commit off: an outcome lost to a crash of the database only
    means one more send, and the database stays consistent. Otherwise, and on SQLite, each
    outcome is a short transaction (queued with the process's other writers on SQLite)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.postgres = database.engine.dialect.name == "postgresql"
        self._connection: Connection | None = None

    @contextmanager
    def kept(self) -> Iterator[None]:
        if not self.postgres:
            yield
            return
        connection = self.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            connection.exec_driver_sql("SET synchronous_commit TO off")
            self._connection = connection
            yield
            self._connection = None
            connection.exec_driver_sql("RESET synchronous_commit")  # before the pool has it
        except BaseException:
            self._connection = None
            connection.invalidate()  # its settings must not go back to the pool
            raise
        finally:
            connection.close()

    def record(self, outcome: tuple[DriverStatement, dict[str, Any]]) -> bool:
        statement, params = outcome
        if self._connection is not None:
            return statement.run(self._connection, params) == 1
        with self.database.connection(write=True) as connection:
            if self.postgres:
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO off")
            return statement.run(connection, params) == 1
