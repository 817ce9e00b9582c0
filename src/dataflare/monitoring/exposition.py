"""What a scrape answers: this process's metrics (or, with several processes, all of theirs,
from the shared folder), then the database's."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from dataflare.db.database import Database
from dataflare.monitoring.collector import DatabaseCollector
from dataflare.monitoring.multiprocess import directory

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# No `_created` series beside each counter and histogram (several processes show none either).
disable_created_metrics()  # type: ignore[no-untyped-call]


class _ThisProcess(Collector):
    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape_registry(database: Database) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    path = directory()
    if path is not None:
        multiprocess.MultiProcessCollector(registry, path)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector(database))
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
