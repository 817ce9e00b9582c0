"""The delivery queue in the database: fan events out into deliveries, claim due deliveries
under a lease, record the outcome. Each function runs in the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from dataflare.events.models import EVENTS
from dataflare.notifications.models import (
    DEAD,
    DELIVERIES,
    DONE,
    PENDING,
    NotificationDelivery,
)

FAN_OUT_BATCH = 200


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
        )


@dataclass(frozen=True)
class Claimed:
    id: int
    destination: str
    attempts: int
    event: Event


def fan_out(session: Session, destinations: Callable[[Event], Sequence[str]], now: int) -> int:
    """Turn new events into one pending delivery per destination, oldest first. Events with
    no destination are dropped. On PostgreSQL the rows are locked (waiting, not skipping), so
    fan-outs run one after the other and an incident's deliveries keep its events' order."""
    query = select(EVENTS).where(EVENTS.c.fanned_out == 0).order_by(EVENTS.c.id)
    query = query.limit(FAN_OUT_BATCH)
    if _is_postgres(session):
        query = query.with_for_update()
    rows = list(session.connection().execute(query))
    if not rows:
        return 0
    deliveries: list[dict[str, Any]] = []
    dropped: list[int] = []
    for row in rows:
        targets = list(dict.fromkeys(destinations(Event.of(row))))
        if not targets:
            dropped.append(row.id)
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
    gone = set(dropped)
    kept = [row.id for row in rows if row.id not in gone]
    if kept:
        connection.execute(update(EVENTS).where(EVENTS.c.id.in_(kept)).values(fanned_out=1))
    return len(rows)


def claim(session: Session, worker: str, now: int, lease_ms: int, batch: int) -> list[Claimed]:
    """Take up to `batch` due deliveries for `lease_ms`. A delivery waits while an earlier
    event of the same incident is still pending for the same destination."""
    d = DELIVERIES.c
    earlier = aliased(NotificationDelivery)
    query = (
        select(NotificationDelivery.id)
        .where(
            d.status == PENDING,
            d.next_attempt_at <= now,
            or_(d.claimed_until.is_(None), d.claimed_until < now),
            ~exists().where(
                and_(
                    earlier.destination == NotificationDelivery.destination,
                    earlier.incident_id == NotificationDelivery.incident_id,
                    earlier.status == PENDING,
                    earlier.event_id < NotificationDelivery.event_id,
                )
            ),
        )
        .order_by(NotificationDelivery.id)
        .limit(batch)
    )
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True, of=NotificationDelivery)
    ids = list(session.scalars(query))
    if not ids:
        return []
    session.execute(
        update(DELIVERIES)
        .where(d.id.in_(ids))
        .values(claimed_until=now + lease_ms, claimed_by=worker)
    )
    rows = session.execute(
        select(d.id.label("delivery_id"), d.destination, d.attempts, EVENTS)
        .join(EVENTS, EVENTS.c.id == d.event_id)
        .where(d.id.in_(ids))
        .order_by(d.id)
    )
    return [Claimed(r.delivery_id, r.destination, r.attempts, Event.of(r)) for r in rows]


def delivered(session: Session, delivery_id: int, now: int) -> None:
    session.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id == delivery_id, DELIVERIES.c.status == PENDING)
        .values(status=DONE, finished_at=now, claimed_until=None, last_error=None)
    )


def failed(session: Session, delivery_id: int, error: str, retry_at: int | None, now: int) -> None:
    """Record a failed attempt: retry at `retry_at`, or give up (dead) when it is None."""
    values: dict[str, Any] = {
        "attempts": DELIVERIES.c.attempts + 1,
        "last_error": error[:2000],
        "claimed_until": None,
    }
    if retry_at is None:
        values.update(status=DEAD, finished_at=now)
    else:
        values["next_attempt_at"] = retry_at
    session.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id == delivery_id, DELIVERIES.c.status == PENDING)
        .values(**values)
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
