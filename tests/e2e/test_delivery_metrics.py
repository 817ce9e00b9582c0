"""The notification metrics of a real `dataflare serve` delivering to a real webhook receiver:
a delivery counted with its latency, and a delivery given up on counted as dead."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ADMIN_TOKEN
from tests.e2e.scrape import graphql, scrape_until, value
from tests.e2e.server import dataflare_env, serving
from tests.notifications.conftest import write_webhook_settings
from tests.notifications.receivers import Answer, Receiver

RAISE = (
    "mutation {{ raiseIncident(input: {{type: OPERATIONAL, resourceUrn: "
    '"urn:li:dataset:(urn:li:dataPlatform:hive,{name},PROD)"}}) }}'
)
DEAD = "dataflare_notification_deliveries_dead"
DELIVERIES = "dataflare_notification_deliveries_total"


def test_deliveries_are_counted_timed_and_the_dead_ones_shown(
    database_url: str, tmp_path: Path
) -> None:
    with Receiver() as receiver:
        write_webhook_settings(tmp_path, f"{receiver.url}/hook", poll_seconds=0.02, max_attempts=1)
        env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN)
        with serving(env) as server:
            metrics = f"{server.url}/metrics"
            graphql(server.url, RAISE.format(name="delivered")).raise_for_status()
            delivered = scrape_until(
                metrics, "dataflare_notification_delivery_latency_seconds_count", 1
            )
            receiver.fail_next("/hook", Answer(500, {"error": "down"}))
            graphql(server.url, RAISE.format(name="refused")).raise_for_status()
            # the worker counts an outcome once it is recorded: the counter moves last
            dead = scrape_until(metrics, DELIVERIES, 1, outcome="dead")

    assert value(delivered, DELIVERIES, outcome="delivered") == 1
    assert value(delivered, "dataflare_notification_delivery_latency_seconds_count") == 1
    assert value(delivered, DEAD) == 0
    assert value(dead, DEAD) == 1
    assert value(dead, DELIVERIES, outcome="dead") == 1
    assert value(dead, "dataflare_notification_queue_depth") == 0
    assert value(dead, "dataflare_notification_events_unrouted") == 0
