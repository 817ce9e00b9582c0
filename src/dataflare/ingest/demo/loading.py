"""Loading the demo: the catalog through ingestion (one batch, like real metadata), then every
step of its incidents' history through the incidents service, each at its own past time, in one
transaction. Its changes are written as history: at their times, and not to the outbox, so no one
is notified of last quarter's incidents as if they were new."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from dataflare.access.roles import SERVER_SIDE
from dataflare.core.clock import AS_OF, now_ms
from dataflare.core.urns import user_urn
from dataflare.events.outbox import QUIET
from dataflare.incidents import service
from dataflare.ingest.apply import apply_all
from dataflare.ingest.demo import catalog, history, sample
from dataflare.ingest.demo.history import DAY, HOUR, Step
from dataflare.ingest.proposals import parse_items

# Written in the load's one transaction, with everything else: when it is there, all is.
MARKER = f"urn:li:incident:{history.ID_PREFIX}0001"
ADMIN = user_urn("datahub")


def load_demo(session: Session) -> bool:
    """Load the demo catalog and 90 days of incidents ending now; False when they were already
    there. A database with the first demo (its incidents) gets the rest."""
    if service.get_incident(session, MARKER) is not None:
        return False
    end = now_ms()
    built = catalog.build()
    with written_at(session, end - (history.DAYS + 1) * DAY):
        apply_all(session, SERVER_SIDE, parse_items(sample.CATALOG + built.proposals, "demo"))
    for step in [*history.plan(built.assets, end), *_sample_steps(session, end)]:
        with written_at(session, step.at):
            apply(session, step)
    return True


@contextmanager
def written_at(session: Session, at: int) -> Iterator[None]:
    """Changes made inside carry the time `at` and are left out of the outbox."""
    session.info[AS_OF], session.info[QUIET] = at, True
    try:
        yield
    finally:
        del session.info[AS_OF], session.info[QUIET]


def apply(session: Session, step: Step) -> None:
    if step.raise_request is not None:
        service.raise_incident(session, step.actor, step.raise_request)
    else:
        assert step.changes is not None
        service.update_incident(session, step.actor, step.urn, step.changes)


def _sample_steps(session: Session, end: int) -> list[Step]:
    """The first demo's incidents, raised in the last hours (the Kafka one resolved), unless a
    former load wrote them."""
    raised_at = {
        sample.RESOLVED_DEMO_ID: end - 30 * HOUR,
        "demo-orders-late": end - 4 * HOUR,
        "demo-load-revenue-failed": end - 3 * HOUR,
        "demo-dashboard-numbers": end - 2 * HOUR,
    }
    steps = [
        Step(raised_at[r.incident_id or ""], ADMIN, f"urn:li:incident:{r.incident_id}", r)
        for r in [*sample.INCIDENTS, sample.RESOLVED]
    ]
    steps.append(
        Step(
            end - 27 * HOUR,
            ADMIN,
            f"urn:li:incident:{sample.RESOLVED_DEMO_ID}",
            changes={
                "status": {
                    "state": "RESOLVED",
                    "stage": "FIXED",
                    "message": "Producer rolled back; the field is back.",
                }
            },
        )
    )
    if service.get_incident(session, steps[0].urn) is not None:
        return []
    return sorted(steps, key=lambda s: s.at)
