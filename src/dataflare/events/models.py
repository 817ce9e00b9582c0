"""The outbox table: one row per change people are told about, written in its transaction."""

from __future__ import annotations

from typing import cast

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflare.db.base import Base


class NotificationEvent(Base):
    """Something to tell people about, written in the transaction of the change itself.
    `payload` is a JSON snapshot of the incident after the change and what changed; the worker
    turns each event into deliveries (`fanned_out` = 1) once, in id order, and keeps in
    `audience` (JSON) who the event concerns, read from the catalog then, for all of them."""

    __tablename__ = "notification_events"
    __table_args__ = (Index("ix_notification_events_pending", "fanned_out", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # RAISED or CHANGED
    at: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text)
    fanned_out: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audience: Mapped[str | None] = mapped_column(Text)


EVENTS = cast(Table, NotificationEvent.__table__)
