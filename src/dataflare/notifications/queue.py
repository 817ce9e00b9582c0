"""The delivery queue in the database: fan events out into deliveries, claim due deliveries
under a lease, record the outcome. Each function runs in the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import BindParameter

from dataflare.events.models import EVENTS
from dataflare.notifications.models import (
    DEAD,
    DELIVERIES,
    DONE,
    PENDING,
    NotificationDelivery,
)

FAN_OUT_BATCH = 200
HOLDING = (PENDING, DEAD)  # an earlier delivery in these holds the later ones of its incident


@dataclass(frozen=True)
class Event:
    id: int
    incident_id: int
    kind: str
    at: int
    actor: str
    incident: dict[str, Any]
    changes: list[dict[str, Any]]
    message: str | None
    audience: str | None  # JSON, resolved when the event was routed (None before that)

    @classmethod
    def of(cls, row: Any) -> Event:
        payload = json.loads(row.payload)
        return cls(
            row.id,
            row.incident_id,
            row.kind,
            row.at,
            row.actor,
            payload["incident"],
            payload["changes"],
            payload["message"],
            row.audience,
        )


@dataclass(frozen=True)
class Claimed:
    id: int
    destination: str
    attempts: int
    event: Event
    lease: Lease


@dataclass(frozen=True)
class Lease:
    """Who holds a claimed delivery, and until when: together they name one claim. An outcome
    is recorded only under the lease it was sent under."""

    worker: str
    until: int


Route = Callable[[list[Event]], list[tuple[list[str], str | None]]]


def fan_out(session: Session, route: Route, now: int) -> int:
    """Turn new events into one pending delivery per destination, oldest first. `route` gives,
    for a batch of events, each one's destinations and its audience (kept with the event for
    all its deliveries). Events with no destination are dropped. On PostgreSQL the rows are
    locked (waiting, not skipping), so fan-outs run one after the other and an incident's
    deliveries keep its events' order."""
    query = select(EVENTS).where(EVENTS.c.fanned_out == 0).order_by(EVENTS.c.id)
    query = query.limit(FAN_OUT_BATCH)
    if _is_postgres(session):
        query = query.with_for_update()
    rows = list(session.connection().execute(query))
    if not rows:
        return 0
    deliveries: list[dict[str, Any]] = []
    dropped: list[int] = []
    kept: list[dict[str, Any]] = []
    routed = route([Event.of(row) for row in rows])
    for row, (destinations, audience) in zip(rows, routed, strict=True):
        targets = list(dict.fromkeys(destinations))
        if not targets:
            dropped.append(row.id)
        else:
            kept.append({"event_id": row.id, "audience": audience})
        deliveries.extend(
            {
                "event_id": row.id,
                "incident_id": row.incident_id,
                "destination": target,
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for target in targets
        )
    connection = session.connection()
    if deliveries:
        connection.execute(insert(DELIVERIES), deliveries)
    if dropped:
        connection.execute(delete(EVENTS).where(EVENTS.c.id.in_(dropped)))
    if kept:
        connection.execute(_ROUTED, kept)
    return len(rows)


_ROUTED = (
    update(EVENTS)
    .where(EVENTS.c.id == bindparam("event_id"))
    .values(fanned_out=1, audience=bindparam("audience"))
)


def claim(session: Session, worker: str, now: int, lease_ms: int, batch: int) -> list[Claimed]:
    """Take up to `batch` due deliveries for `lease_ms`. A delivery waits (is held) while an
    earlier event of the same incident is pending or dead for the same destination: a dead
    one, queued again, is sent before the later ones, never after them."""
    lease = Lease(worker, now + lease_ms)
    query = _CLAIMABLE_LOCKED if _is_postgres(session) else _CLAIMABLE
    ids = list(session.scalars(query, {"now": now, "batch": batch}))
    if not ids:
        return []
    session.execute(_LEASE, {"ids": ids, "until": lease.until, "worker": lease.worker})
    rows = session.execute(_CLAIMED, {"ids": ids})
    return [Claimed(r.delivery_id, r.destination, r.attempts, Event.of(r), lease) for r in rows]


def _claimable() -> Select[int]:
    d = DELIVERIES.c
    earlier = aliased(NotificationDelivery)
    now: BindParameter[int] = bindparam("now")
    return (
        select(NotificationDelivery.id)
        .where(
            d.status == PENDING,
            d.next_attempt_at <= now,
            or_(d.claimed_until.is_(None), d.claimed_until < now),
            ~exists().where(
                and_(
                    earlier.destination == NotificationDelivery.destination,
                    earlier.incident_id == NotificationDelivery.incident_id,
                    earlier.status.in_(HOLDING),
                    earlier.event_id < NotificationDelivery.event_id,
                )
            ),
        )
        .order_by(d.next_attempt_at, d.id)  # the due index's order: read until the batch is full
        .limit(bindparam("batch"))
    )


# Built once: a worker claims many times a second.
_CLAIMABLE = _claimable()
_CLAIMABLE_LOCKED = _CLAIMABLE.with_for_update(skip_locked=True, of=NotificationDelivery)
_LEASE = (
    update(DELIVERIES)
    .where(DELIVERIES.c.id.in_(bindparam("ids", expanding=True)))
    .values(claimed_until=bindparam("until"), claimed_by=bindparam("worker"))
)
_CLAIMED = (
    select(
        DELIVERIES.c.id.label("delivery_id"),
        DELIVERIES.c.destination,
        DELIVERIES.c.attempts,
        EVENTS,
    )
    .join(EVENTS, EVENTS.c.id == DELIVERIES.c.event_id)
    .where(DELIVERIES.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(DELIVERIES.c.id)
)


@dataclass(frozen=True)
class Listed:
    """A delivery not yet made, as `dataflare notifications list` shows it."""

    id: int
    destination: str
    status: str
    attempts: int
    next_attempt_at: int
    last_error: str | None
    kind: str  # the event's: RAISED or CHANGED
    urn: str  # the incident's, as the event carries it


def listing(session: Session, dead_only: bool, limit: int) -> list[Listed]:
    """Deliveries not yet done (or only the dead ones), oldest first, with their incident."""
    d = DELIVERIES.c
    query = (
        select(
            d.id,
            d.destination,
            d.status,
            d.attempts,
            d.next_attempt_at,
            d.last_error,
            EVENTS.c.kind,
            EVENTS.c.payload,
        )
        .join(EVENTS, EVENTS.c.id == d.event_id)
        .where(d.status == DEAD if dead_only else d.status != DONE)
        .order_by(d.id)
        .limit(limit)
    )
    return [
        Listed(*row[:7], urn=json.loads(row.payload)["incident"]["urn"])
        for row in session.execute(query)
    ]


def retry(session: Session, ids: Sequence[int], all_dead: bool, now: int) -> int:
    """Put dead deliveries back in the queue, due now, with their failures forgotten."""
    condition = DELIVERIES.c.status == DEAD
    if not all_dead:
        condition = and_(condition, DELIVERIES.c.id.in_(list(ids)))
    result = session.execute(
        update(DELIVERIES)
        .where(condition)
        .values(status=PENDING, attempts=0, next_attempt_at=now, claimed_until=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def work_waiting(session: Session, now: int) -> bool:
    """Events to route, or a delivery a claim would take now."""
    if session.scalar(select(exists().where(EVENTS.c.fanned_out == 0))):
        return True
    return session.scalar(_CLAIMABLE, {"now": now, "batch": 1}) is not None


def unrouted(session: Session) -> int:
    """Events no worker has turned into deliveries yet."""
    query = select(func.count()).select_from(EVENTS).where(EVENTS.c.fanned_out == 0)
    return session.scalar(query) or 0


def prune(session: Session, finished_before: int) -> None:
    """Forget delivered notifications finished before a time, and events left with none."""
    session.execute(
        delete(DELIVERIES).where(
            DELIVERIES.c.status == DONE, DELIVERIES.c.finished_at < finished_before
        )
    )
    session.execute(
        delete(EVENTS).where(
            EVENTS.c.fanned_out == 1,
            ~exists().where(DELIVERIES.c.event_id == EVENTS.c.id),
        )
    )


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
