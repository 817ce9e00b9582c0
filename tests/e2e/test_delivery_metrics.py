"""The notification metrics of a real `dataflare serve` delivering to a real webhook receiver:
a delivery counted with its latency, and a delivery given up on counted as dead."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

from dataflare.db.database import POOL_OVERFLOW, POOL_SIZE
from tests.conftest import ADMIN_TOKEN
from tests.e2e.scrape import graphql, scrape, scrape_until, value
from tests.e2e.server import DATAFLARE, dataflare_env, free_port, serving
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


def wait_listening(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the worker exited"
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing answered at {url}")


def test_a_separate_worker_serves_its_own_delivery_metrics(
    database_url: str, tmp_path: Path
) -> None:
    with Receiver() as receiver:
        write_webhook_settings(tmp_path, f"{receiver.url}/hook", poll_seconds=0.02, max_attempts=1)
        env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN)
        port = free_port()
        metrics = f"http://127.0.0.1:{port}/metrics"
        with serving(env, "--no-notify") as server:
            worker = subprocess.Popen(
                [DATAFLARE, "worker", "--metrics", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_listening(metrics, worker)
                graphql(server.url, RAISE.format(name="by_worker")).raise_for_status()
                delivered = scrape_until(metrics, DELIVERIES, 1, token=None, outcome="delivered")
                on_server = scrape(f"{server.url}/metrics")
            finally:
                worker.terminate()
                worker.wait(10)

    assert value(delivered, "dataflare_notification_delivery_latency_seconds_count") == 1
    assert value(delivered, "dataflare_db_pool_connections_max") == POOL_SIZE + POOL_OVERFLOW
    # The database's gauges are the servers' to show: a worker's copy would be summed with them.
    assert not any(name == DEAD for name, _ in delivered)
    assert value(on_server, DELIVERIES, outcome="delivered") == 0  # the server delivered none
    assert value(on_server, DEAD) == 0


def test_a_worker_refuses_a_bad_metrics_address_in_one_line(tmp_path: Path) -> None:
    env = dataflare_env(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}")
    done = subprocess.run(
        [DATAFLARE, "worker", "--metrics", "localhost:99999"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "--metrics" in done.stderr and "'localhost:99999'" in done.stderr
    assert "Traceback" not in done.stderr
