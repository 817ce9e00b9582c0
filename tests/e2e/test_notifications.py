"""Notifications from real processes: `dataflare serve` delivers by itself, or leaves it to
`dataflare worker` when started with --no-notify."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

from tests.conftest import ADMIN_TOKEN
from tests.e2e.server import DATAFLARE, Server, dataflare_env
from tests.notifications.conftest import write_webhook_settings
from tests.notifications.receivers import Receiver

RAISE = 'mutation { raiseIncident(input: {type: OPERATIONAL, title: "Late", resourceUrn: "%s"}) }'
ORDERS = "urn:li:dataset:(urn:li:dataPlatform:snowflake,orders,PROD)"


def raise_over_http(server: Server) -> str:
    answer = httpx.post(
        f"{server.url}/api/graphql",
        json={"query": RAISE % ORDERS},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    ).json()
    urn: str = answer["data"]["raiseIncident"]
    return urn


def test_serve_posts_to_a_slack_webhook_set_by_one_variable(
    database_url: str, tmp_path: Path
) -> None:
    with Receiver() as slack:
        env = dataflare_env(
            tmp_path,
            database_url,
            DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN,
            DATAFLARE_SLACK_WEBHOOK_URL=f"{slack.url}/services/T1/B1/x",
        )
        server = Server(env)
        try:
            server.wait_ready()
            raise_over_http(server)
            slack.wait_for(lambda: bool(slack.to("/services/T1/B1/x")))
        finally:
            server.stop()
    [message] = slack.to("/services/T1/B1/x")
    assert message.body["text"].startswith("Incident raised: Late\n")


def test_serve_without_notify_leaves_delivery_to_the_worker(
    database_url: str, tmp_path: Path
) -> None:
    with Receiver() as receiver:
        write_webhook_settings(tmp_path, f"{receiver.url}/hook", poll_seconds=0.02)
        env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN)
        server = Server(env, "--no-notify")
        try:
            server.wait_ready()
            urn = raise_over_http(server)
            time.sleep(0.5)  # many of a worker's polls
            assert receiver.requests == []
        finally:
            server.stop()

        waiting = subprocess.run(
            [DATAFLARE, "notifications", "list"], env=env, capture_output=True, text=True
        )
        assert "Events not yet routed by a worker: 1" in waiting.stderr
        worker = subprocess.run(
            [DATAFLARE, "worker", "--once"], env=env, capture_output=True, text=True, timeout=60
        )
        assert worker.returncode == 0, worker.stderr
        assert [r.body["incident"]["urn"] for r in receiver.to("/hook")] == [urn]
