"""Engine and sessions. SQLite gets WAL, foreign keys and explicit BEGIN handling."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from dataflare.db.commit import finish
from dataflare.db.group_commit import GroupCommit
from dataflare.db.metrics import watch_pool

WRITE_OPTION = "dataflare_write"
SQLITE_READ_THREADS = 1
log = logging.getLogger("dataflare.db")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (savepoints need it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    # A writer takes the write lock up front, so it waits (busy_timeout) instead of failing
    # later when upgrading a read lock; readers never block in WAL mode.
    writing = connection.get_execution_options().get(WRITE_OPTION, False)
    # Straight to the driver: every request pays for this statement.
    cursor = connection.connection.cursor()
    cursor.execute("BEGIN IMMEDIATE" if writing else "BEGIN")
    cursor.close()


def _sqlite_end_leftover(dbapi_connection: Any, _record: Any) -> None:
    # A COMMIT that SQLite refuses (a deferred foreign key, migration 0020) leaves its
    # transaction open, and SQLAlchemy, taking the commit as over, skips the pool's rollback:
    # end it here, or the connection's next BEGIN fails.
    if dbapi_connection.in_transaction:
        dbapi_connection.rollback()


# A pooled PostgreSQL connection idle longer than this is pinged before use, in case the server
# restarted meanwhile. Pinging every checkout (pool_pre_ping) cost a round trip and a tenth of a
# raise's CPU; a connection in steady use does not need it.
PING_AFTER_IDLE_S = 2.0
_IDLE_SINCE = "dataflare.idle_since"


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(engine: Engine) -> Callable[[Any, Any, Any], None]:
    def ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since <= PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out another (a new one, if need be).
            raise DisconnectionError(f"a pooled connection was lost: {error}") from error

    return ping


# Connections kept open: as many as the request threads use at once (anyio's limit, 40), so
# that none is closed when it comes back and opened again by the next request. With 20 kept,
# raises at 32 connections opened 60 PostgreSQL sessions a second (bench/README.md). Beyond
# those, a few for the notification worker and the metrics, opened and closed as needed.
POOL_SIZE = 40
POOL_OVERFLOW = 10


def make_engine(url: str) -> Engine:
    # A database error names its statement but not its values: they include token and
    # password hashes, and the error is logged with its traceback.
    options: dict[str, Any] = {
        "pool_size": POOL_SIZE,
        "max_overflow": POOL_OVERFLOW,
        "hide_parameters": True,
    }
    if url.startswith("sqlite"):
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        event.listen(engine, "checkin", _sqlite_end_leftover)
    else:
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _postgresql_on_connect)
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "checkout", _ping_if_idle(engine))
    watch_pool(engine, options["pool_size"] + options["max_overflow"])
    return engine


def _postgresql_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """No JIT compilation: its 60 to 70 ms were a third of a figure's read of a year of
    incidents (bench/README.md, "Filtered figures"), and no statement here runs long enough
    for compiled code to pay that back."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def _transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session:
        session.begin()
        try:
            yield session
            finish(session)
        except BaseException:
            session.rollback()
            raise


class Database:
    """One engine and two session factories: reads, and writes that lock up front on SQLite."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._write_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self._write_engine, expire_on_commit=False)
        sqlite = url.startswith("sqlite")
        self._sqlite_writer = threading.Lock() if sqlite else None
        # PostgreSQL takes concurrent writers; SQLite gains from committing them together.
        self.group_commit = GroupCommit(lambda: self.session(write=True)) if sqlite else None
        # How many threads run API reads at once in each of two lanes (graphql.lanes: searches
        # and lineage apart from the short reads). A SQLite read is short work that gives up
        # the GIL around every call into SQLite: dozens of threads doing that only hand the GIL
        # back and forth (measured: 100 context switches a request and half the throughput of
        # one thread). More reads in parallel come from more processes (`serve --workers N`).
        # PostgreSQL reads wait on the network, so they keep the usual thread pool.
        self.read_threads: int | None = SQLITE_READ_THREADS if sqlite else None

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session whose transaction commits on success (db/commit.py: the steps and
        statements asked for the end, then the commit) and rolls back on any exception."""
        if write and self._sqlite_writer is not None:
            # SQLite takes one writer at a time. Queue this process's writers here, in order,
            # rather than in SQLite's busy handler, which polls with sleeps and is unfair.
            with self._sqlite_writer:
                yield from _transaction(self._write)
            return
        yield from _transaction(self._write if write else self._read)

    @contextmanager
    def connection(self, *, write: bool = False) -> Iterator[Connection]:
        """A connection in a transaction that commits on success, without an ORM session: for
        the smallest, most frequent writes (a delivery's outcome), where a session costs more
        than the statement. Writers queue as in `session`."""
        engine = self._write_engine if write else self.engine
        if write and self._sqlite_writer is not None:
            with self._sqlite_writer, engine.begin() as connection:
                yield connection
            return
        with engine.begin() as connection:
            yield connection

    def dispose(self) -> None:
        if self.group_commit is not None:
            self.group_commit.close()
            if self.group_commit.reruns:  # a batch's commit failed: worth an operator's look
                log.warning(
                    "SQLite group commit: %d writes were run again, alone, after the commit of "
                    "their batch failed",
                    self.group_commit.reruns,
                )
        self.engine.dispose()
