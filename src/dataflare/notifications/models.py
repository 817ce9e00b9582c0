"""Notification tables: one delivery per event and destination, and Slack threads. The events
themselves (the outbox) are in events/models.py."""

from __future__ import annotations

from typing import cast

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflare.db.base import Base

PENDING = "PENDING"
DONE = "DONE"
DEAD = "DEAD"


class NotificationDelivery(Base):
    """One event on its way to one destination (a Slack channel, a webhook, e-mail); each
    retries on its own. `claimed_until` is the lease of the worker sending it."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        # A claim reads the pending deliveries in this order and stops at its batch.
        Index("ix_notification_deliveries_due", "status", "next_attempt_at", "id"),
        Index("ix_notification_deliveries_order", "destination", "incident_id", "event_id"),
        Index("ix_notification_deliveries_event", "event_id"),  # pruning events, cascades
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("notification_events.id", ondelete="CASCADE"))
    incident_id: Mapped[int] = mapped_column(Integer)  # copied from the event, for ordering
    destination: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))  # PENDING, DONE, DEAD
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger)
    claimed_until: Mapped[int | None] = mapped_column(BigInteger)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger)


class SlackMessage(Base):
    """The message posted about an incident in a channel, updated in place on later changes."""

    __tablename__ = "notification_slack_messages"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(200), primary_key=True)
    posted_channel: Mapped[str] = mapped_column(String(200))  # the id Slack answered with
    ts: Mapped[str] = mapped_column(String(64))


DELIVERIES = cast(Table, NotificationDelivery.__table__)
SLACK_MESSAGES = cast(Table, SlackMessage.__table__)
