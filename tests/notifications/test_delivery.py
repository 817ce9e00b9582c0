"""Delivery: retries with backoff on 429, 5xx and refused connections, dead deliveries and their
retry from the command line, per-incident order, and workers sharing the queue."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dataflare.cli import main
from dataflare.core.clock import now_ms
from dataflare.db.database import Database
from dataflare.notifications.models import NotificationDelivery
from dataflare.notifications.worker import Worker
from tests.e2e.server import free_port
from tests.notifications.conftest import (
    load_catalog,
    make_config,
    raise_incident,
    run_worker,
    set_state,
)
from tests.notifications.receivers import Answer, Receiver

POST = "/api/chat.postMessage"
HOOK = "/hook"


def hook_config(url: str, **delivery: Any) -> Any:
    return make_config(
        {"webhooks": [{"name": "ops", "url": url, "secrets": ["s1"]}], "delivery": delivery}
    )


def deliveries(db: Database) -> list[NotificationDelivery]:
    with db.session() as session:
        return list(session.scalars(select(NotificationDelivery).order_by(NotificationDelivery.id)))


def first_status(db: Database) -> str | None:
    found = deliveries(db)
    return found[0].status if found else None


def cli(database_url: str, home: Path, *args: str) -> Any:
    env = {"DATAFLARE_DATABASE_URL": database_url, "DATAFLARE_HOME": str(home)}
    return CliRunner().invoke(main, list(args), env=env)


def test_slack_rate_limits_are_waited_out_as_retry_after_says(
    db: Database, receiver: Receiver
) -> None:
    load_catalog(db)
    config = make_config(
        {"slack": {"bot_token": "x", "channel": "#c", "api_url": f"{receiver.url}/api/"}}
    )
    receiver.fail_next(
        POST, Answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    )
    raise_incident(db)
    worker = Worker(db, config)

    worker.run_once()
    [waiting] = deliveries(db)
    assert (waiting.status, waiting.attempts) == ("PENDING", 1)
    assert waiting.next_attempt_at - now_ms() > 800  # not the 50 ms backoff: Retry-After
    run_worker(worker, lambda: len(receiver.to(POST)) == 2)

    first, second = receiver.to(POST)
    assert second.at - first.at >= 1.0
    [done] = deliveries(db)
    assert done.status == "DONE"


def test_server_errors_are_retried_until_delivered(db: Database, receiver: Receiver) -> None:
    receiver.fail_next(HOOK, Answer(500, {"error": "boom"}), Answer(503, {"error": "busy"}))
    raise_incident(db)

    run_worker(Worker(db, hook_config(receiver.url + HOOK)), lambda: first_status(db) == "DONE")

    assert len(receiver.to(HOOK)) == 3
    [done] = deliveries(db)
    assert done.attempts == 2
    assert done.last_error is None


def test_a_delivery_that_keeps_failing_is_dead_then_retried_from_the_command_line(
    db: Database, database_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    refused = f"http://127.0.0.1:{free_port()}{HOOK}"  # nothing listens there
    urn = raise_incident(db)

    run_worker(Worker(db, hook_config(refused)), lambda: first_status(db) == "DEAD")

    [dead] = deliveries(db)
    assert dead.attempts == 3
    assert "could not be reached" in (dead.last_error or "")
    listed = cli(database_url, tmp_path, "notifications", "list", "--dead")
    assert listed.exit_code == 0, listed.output
    row = listed.output.splitlines()[1].split("\t")
    assert row[:3] == [str(dead.id), "DEAD", "3"]
    assert row[4:7] == ["webhook:ops", "RAISED", urn]

    retried = cli(database_url, tmp_path, "notifications", "retry", str(dead.id))
    assert retried.exit_code == 0, retried.output
    assert "1 delivery queued again." in retried.output
    # The endpoint is back (the same destination, now answering).
    run_worker(Worker(db, hook_config(receiver.url + HOOK)), lambda: first_status(db) == "DONE")
    assert len(receiver.to(HOOK)) == 1
    assert cli(database_url, tmp_path, "notifications", "list", "--dead").output == (
        "No dead deliveries.\n"
    )


def test_retry_refuses_ids_that_are_not_dead(database_url: str, tmp_path: Path) -> None:
    result = cli(database_url, tmp_path, "notifications", "retry", "12345")
    assert result.exit_code == 1
    assert "0 of 1 delivery queued again; 1 is unknown or not dead" in result.output
    both = cli(database_url, tmp_path, "notifications", "retry", "1", "--all-dead")
    assert "Error: Give delivery ids, or --all-dead (not both)." in both.output


def test_an_incidents_events_arrive_in_order_even_when_one_is_retried(
    db: Database, receiver: Receiver
) -> None:
    receiver.fail_next(HOOK, Answer(500, {"error": "boom"}))
    urn = raise_incident(db)
    set_state(db, urn, "RESOLVED")
    set_state(db, urn, "ACTIVE")

    run_worker(Worker(db, hook_config(receiver.url + HOOK)), lambda: len(receiver.to(HOOK)) == 4)

    bodies = [r.body for r in receiver.to(HOOK)]
    assert [b["type"] for b in bodies] == [
        "incident.raised",  # refused with a 500
        "incident.raised",
        "incident.changed",
        "incident.changed",
    ]
    assert [c["new"] for b in bodies[2:] for c in b["changes"]] == ["RESOLVED", "ACTIVE"]


@pytest.mark.parametrize("workers", [3])
def test_workers_share_the_queue_without_sending_twice(
    db: Database, receiver: Receiver, workers: int
) -> None:
    urns = [raise_incident(db, title=f"incident {i}") for i in range(30)]
    config = hook_config(receiver.url + HOOK, batch=4)
    running = [Worker(db, config) for _ in range(workers)]
    threads = [threading.Thread(target=w.run) for w in running]
    for thread in threads:
        thread.start()
    try:
        receiver.wait_for(lambda: len(receiver.to(HOOK)) >= len(urns))
    finally:
        for worker in running:
            worker.stopping.set()
        for thread in threads:
            thread.join()

    sent = sorted(r.body["incident"]["urn"] for r in receiver.to(HOOK))
    assert sent == sorted(urns)  # each once: leases keep the workers off each other's rows
    assert {d.status for d in deliveries(db)} == {"DONE"}


def test_backoff_doubles_with_jitter_up_to_its_cap_and_never_under_retry_after(
    db: Database,
) -> None:
    worker = Worker(
        db, hook_config("https://h.example.com", backoff_seconds=2, max_backoff_seconds=10)
    )
    for attempts, full in [(1, 2.0), (2, 4.0), (3, 8.0), (4, 10.0), (9, 10.0)]:
        delays = [worker.backoff_seconds(attempts, None) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays)
        assert max(delays) - min(delays) > full / 10  # spread out, not all at once
    assert worker.backoff_seconds(1, 30.0) == 30.0
