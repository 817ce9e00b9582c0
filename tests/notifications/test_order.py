"""A dead delivery holds the later events of its incident at the same destination: queued
again, it is sent first and the later ones after it, so a retried event never overtakes a
newer one. Other incidents, and other destinations, do not wait."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from dataflare.core.clock import now_ms
from dataflare.db.database import Database
from dataflare.notifications import queue
from dataflare.notifications.models import NotificationDelivery
from dataflare.notifications.worker import Worker
from tests.notifications.conftest import make_config, raise_incident, run_worker, set_state
from tests.notifications.receivers import Answer, Receiver
from tests.notifications.test_delivery import cli

HOOK = "/hook"
OTHER = "/other"


def statuses(db: Database) -> list[tuple[str, str]]:
    """(destination, status) of every delivery, oldest first."""
    with db.session() as session:
        rows = session.execute(
            select(NotificationDelivery.destination, NotificationDelivery.status).order_by(
                NotificationDelivery.id
            )
        )
        return [(r.destination, r.status) for r in rows]


def sent(receiver: Receiver, path: str) -> list[tuple[str, Any]]:
    return [
        (r.body["incident"]["title"], [c["new"] for c in r.body["changes"]])
        for r in receiver.to(path)
    ]


def test_a_retried_dead_delivery_is_sent_before_the_newer_events_it_held(
    db: Database, database_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    config = make_config(
        {
            "webhooks": [
                {"name": "ops", "url": receiver.url + HOOK, "secrets": ["s"]},
                {"name": "other", "url": receiver.url + OTHER, "secrets": ["s"]},
            ]
        }
    )
    worker = Worker(db, config)
    # given a raise that "ops" refuses for good (a 4xx is not retried: dead at once)
    receiver.fail_next(HOOK, Answer(422, {"error": "unexpected"}))
    urn = raise_incident(db, title="late")
    raise_incident(db, title="unrelated")
    run_worker(worker, lambda: ("webhook:ops", "DEAD") in statuses(db))

    # when the incident changes twice while that delivery is dead
    set_state(db, urn, "RESOLVED")
    set_state(db, urn, "ACTIVE")
    run_worker(worker, lambda: len(receiver.to(OTHER)) == 4)
    for _ in range(5):
        worker.run_once()

    # then "ops" has been sent nothing newer of that incident; "other" had everything
    assert sent(receiver, HOOK) == [("late", []), ("unrelated", [])]
    assert sent(receiver, OTHER) == [
        ("late", []),
        ("unrelated", []),
        ("late", ["RESOLVED"]),
        ("late", ["ACTIVE"]),
    ]
    with db.session() as session:  # held deliveries are no work: an idle worker stays idle
        assert not queue.work_waiting(session, now_ms())
    listed = cli(database_url, tmp_path, "notifications", "list")
    assert listed.output.count("webhook:ops") == 3  # the dead one, and the two it holds

    # when the dead delivery is queued again, it goes first, then the ones it held, in order
    [dead_id] = [line.split("\t")[0] for line in listed.output.splitlines() if "\tDEAD\t" in line]
    assert cli(database_url, tmp_path, "notifications", "retry", dead_id).exit_code == 0
    run_worker(worker, lambda: len(receiver.to(HOOK)) == 5)

    assert sent(receiver, HOOK)[2:] == [("late", []), ("late", ["RESOLVED"]), ("late", ["ACTIVE"])]
    assert {status for _, status in statuses(db)} == {"DONE"}
