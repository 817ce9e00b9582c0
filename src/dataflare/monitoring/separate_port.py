"""DATAFLARE_METRICS=listen:[HOST:]PORT: the metrics on a port of their own, without a token,
served by the `dataflare serve` process itself (with several workers, from their shared
folder), so one port answers for all of them. And `dataflare worker --metrics`: a delivery
worker's own metrics on a port of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import REGISTRY, start_http_server

from dataflare.core.errors import InvalidInput
from dataflare.core.exposure import MetricsExposure
from dataflare.db.database import Database
from dataflare.monitoring.exposition import scrape_registry


@contextmanager
def metrics_port(exposure: MetricsExposure, database_url: str) -> Iterator[None]:
    database = Database(database_url)
    server, thread = start_http_server(
        exposure.port, addr=exposure.host, registry=scrape_registry(database)
    )
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        database.dispose()


@contextmanager
def worker_metrics_port(host: str, port: int) -> Iterator[None]:
    """This process's metrics (its deliveries, their latency, its pool) and none read from the
    database: the servers' scrapes have those, and two copies of a gauge would be summed."""
    try:
        server, thread = start_http_server(port, addr=host, registry=REGISTRY)
    except OSError as error:
        raise InvalidInput(f"cannot serve metrics on {host}:{port}: {error.strerror}.") from error
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
