"""DATAFLARE_METRICS=listen:[HOST:]PORT: the metrics on a port of their own, without a token,
served by the `dataflare serve` process itself (with several workers, from their shared
folder), so one port answers for all of them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import start_http_server

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
