"""The metrics read from the database when Prometheus scrapes: active incidents, and the
notification queue. Each scrape runs two grouped counts and one count, on indexes."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from dataflare.db.database import Database
from dataflare.incidents.active_counts import active_by_priority_and_platform
from dataflare.notifications.backlog import backlog

log = logging.getLogger("dataflare.monitoring")


class DatabaseCollector(Collector):
    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "dataflare_database_up", "1 when the last scrape could read the database, else 0."
        )
        try:
            with self.database.session() as session:
                active = active_by_priority_and_platform(session)
                queue = backlog(session)
        except Exception as error:  # the scrape still answers, and says the database did not
            log.warning("metrics: could not read the database: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        incidents = GaugeMetricFamily(
            "dataflare_incidents_active",
            "Active incidents by priority and by the platform of their first asset.",
            labels=["priority", "platform"],
        )
        for (priority, platform), count in sorted(active.items()):
            incidents.add_metric([priority, platform], count)
        yield incidents
        yield GaugeMetricFamily(
            "dataflare_notification_queue_depth",
            "Notification deliveries waiting to be sent or retried.",
            value=queue.pending,
        )
        yield GaugeMetricFamily(
            "dataflare_notification_deliveries_dead",
            "Notification deliveries given up on, kept until retried.",
            value=queue.dead,
        )
        yield GaugeMetricFamily(
            "dataflare_notification_events_unrouted",
            "Changes not yet turned into deliveries by a worker.",
            value=queue.unrouted,
        )
