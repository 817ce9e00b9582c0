"""A `dataflare worker` killed with SIGKILL in the middle of deliveries loses nothing: started
again, it delivers every event, in order per incident, at most one of them twice."""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from dataflare.db.database import Database
from dataflare.notifications.models import NotificationDelivery
from tests.e2e.server import DATAFLARE, dataflare_env
from tests.notifications.conftest import raise_incident, set_state, write_webhook_settings
from tests.notifications.receivers import Receiver

INCIDENTS = 30
RESOLVED = 10  # the first ten are resolved too: 40 events in all


def start_worker(home: Path, database_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [DATAFLARE, "worker"],
        env=dataflare_env(home, database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_killed_worker_loses_no_event(database_url: str, db: Database, tmp_path: Path) -> None:
    with Receiver(delay=0.03) as receiver:
        write_webhook_settings(
            tmp_path,
            f"{receiver.url}/hook",
            poll_seconds=0.05,
            lease_seconds=1,
            timeout_seconds=0.5,
            batch=5,
            backoff_seconds=0.05,
        )
        urns = [raise_incident(db, title=f"incident {i}") for i in range(INCIDENTS)]
        for urn in urns[:RESOLVED]:
            set_state(db, urn, "RESOLVED")

        first = start_worker(tmp_path, database_url)
        try:
            receiver.wait_for(lambda: len(receiver.to("/hook")) >= 10, timeout=30)
        finally:
            first.send_signal(signal.SIGKILL)
            first.communicate()
        received_before = len(receiver.to("/hook"))
        assert received_before < INCIDENTS + RESOLVED  # killed mid-way

        second = start_worker(tmp_path, database_url)
        try:
            receiver.wait_for(
                lambda: len({r.body["id"] for r in receiver.to("/hook")}) == INCIDENTS + RESOLVED,
                timeout=30,
            )
        finally:
            second.send_signal(signal.SIGTERM)
            output, _ = second.communicate(timeout=20)
        assert second.returncode == 0, output

    bodies = [r.body for r in receiver.to("/hook")]
    copies = Counter(body["id"] for body in bodies)
    assert sum(copies.values()) - len(copies) <= 1  # only the one in flight at the kill
    for urn in urns[:RESOLVED]:
        kinds = [b["type"] for b in bodies if b["incident"]["urn"] == urn]
        assert kinds.index("incident.changed") > kinds.index("incident.raised")
    with db.session() as session:
        statuses = set(session.scalars(select(NotificationDelivery.status)))
    assert statuses == {"DONE"}
