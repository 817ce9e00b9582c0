"""How much the delivery queue holds, for the metrics: read from the status index (pending
and dead deliveries only, never the delivered ones kept for a week) and the events index."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataflare.notifications.models import DEAD, DELIVERIES, PENDING
from dataflare.notifications.queue import unrouted

_BY_STATUS = (
    select(DELIVERIES.c.status, func.count())
    .where(DELIVERIES.c.status.in_((PENDING, DEAD)))
    .group_by(DELIVERIES.c.status)
)


@dataclass(frozen=True)
class Backlog:
    pending: int  # deliveries waiting to be sent or retried
    dead: int  # deliveries given up on (`dataflare notifications retry` queues them again)
    unrouted: int  # events not yet turned into deliveries


def backlog(session: Session) -> Backlog:
    counts: dict[str, int] = {status: count for status, count in session.execute(_BY_STATUS)}
    return Backlog(counts.get(PENDING, 0), counts.get(DEAD, 0), unrouted(session))
