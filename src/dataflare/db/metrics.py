"""The database's own metrics: connection pool use, and SQLite's group-commit batch sizes.
Counted in this process; with several server processes (PROMETHEUS_MULTIPROC_DIR), the pool
gauges add up over the live ones."""

from __future__ import annotations

from typing import Any

from prometheus_client import Gauge, Histogram
from sqlalchemy import Engine, event

POOL_IN_USE = Gauge(
    "dataflare_db_pool_connections_in_use",
    "Database connections checked out of the pool now.",
    multiprocess_mode="livesum",
)
POOL_CAPACITY = Gauge(
    "dataflare_db_pool_connections_max",
    "The most connections the pool may hold open (pool size plus overflow).",
    multiprocess_mode="livesum",
)
GROUP_COMMIT_BATCH = Histogram(
    "dataflare_sqlite_group_commit_batch_size",
    "Writes committed together by one SQLite group commit.",
    buckets=(1, 2, 4, 8, 16, 32),
)


def _checked_out(*_: Any) -> None:
    POOL_IN_USE.inc()


def _checked_in(*_: Any) -> None:
    POOL_IN_USE.dec()


def watch_pool(engine: Engine, capacity: int) -> None:
    """Count the engine's connections in use, and its capacity until it is disposed."""
    event.listen(engine, "checkout", _checked_out)
    event.listen(engine, "checkin", _checked_in)
    POOL_CAPACITY.inc(capacity)
    event.listen(engine, "engine_disposed", lambda _: POOL_CAPACITY.dec(capacity), once=True)
