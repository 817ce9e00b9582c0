"""A delivery's outcome counts only under the lease it was sent under: a worker whose lease
ended while its request was in flight, and whose delivery another worker took meanwhile, has
its outcome ignored, whether it was a success or a failure."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from sqlalchemy import select

from dataflare.core.clock import now_ms
from dataflare.db.database import Database
from dataflare.notifications import queue
from dataflare.notifications.models import NotificationDelivery
from dataflare.notifications.worker import Worker
from tests.notifications.conftest import make_config, raise_incident, run_worker
from tests.notifications.receivers import Answer, Receiver

HOOK = "/hook"
SHORT_LEASE_MS = 600  # the first worker's claim: over while its request is still held
HELD = 1.5  # seconds the receiver holds that request


def the_delivery(db: Database) -> NotificationDelivery:
    with db.session() as session:
        [delivery] = session.scalars(select(NotificationDelivery))
        return delivery


def claim_one(db: Database, worker: Worker, lease_ms: int) -> queue.Claimed:
    with db.session(write=True) as session:
        queue.fan_out(session, lambda events: worker.route(session, events), now_ms())
        [item] = queue.claim(session, worker.name, now_ms(), lease_ms, 10)
    return item


@pytest.mark.parametrize("status", [200, 500], ids=["done", "failed"])
def test_an_outcome_after_the_lease_ended_is_ignored(
    db: Database, receiver: Receiver, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(
        {
            "webhooks": [{"name": "ops", "url": receiver.url + HOOK, "secrets": ["s"]}],
            "delivery": {"timeout_seconds": 5, "lease_seconds": 10},
        }
    )
    raise_incident(db)
    stale, fresh = Worker(db, config), Worker(db, config)
    # The first worker's answer comes late (a stalled process, a slow network): after its
    # lease has ended and the second worker has taken the delivery.
    receiver.fail_next(HOOK, Answer(status, {"ok": status == 200}, after=HELD))
    first = claim_one(db, stale, SHORT_LEASE_MS)
    sending = threading.Thread(target=stale.deliver, args=(first,))
    sending.start()
    receiver.wait_for(lambda: len(receiver.to(HOOK)) == 1)
    time.sleep(SHORT_LEASE_MS / 1000 + 0.1)
    second = claim_one(db, fresh, 10_000)  # the lease has ended: the delivery is free again
    assert second.id == first.id
    claimed = the_delivery(db)

    with caplog.at_level(logging.WARNING, "dataflare.notifications"):
        sending.join()

    held = the_delivery(db)
    assert (held.status, held.attempts, held.last_error) == ("PENDING", 0, None)
    # The stale outcome moved nothing: neither the next attempt's time nor the lease.
    assert (held.next_attempt_at, held.claimed_until) == (
        claimed.next_attempt_at,
        claimed.claimed_until,
    )
    assert held.claimed_by == fresh.name
    assert "outcome is ignored" in caplog.text
    fresh.deliver(second)
    done = the_delivery(db)
    assert (done.status, done.attempts) == ("DONE", 0)
    # Nothing more is sent: the stale outcome did not queue the delivery again.
    run_worker(fresh, lambda: True)
    fresh.run_once()
    assert len(receiver.to(HOOK)) == 2
