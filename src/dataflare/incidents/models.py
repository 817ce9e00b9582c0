"""Incident tables: incidents, the assets they are on, assignees, and the activity log."""

from __future__ import annotations

from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dataflare.catalog.models import Asset
from dataflare.db.base import Base

ACTIVE_WITH_KEY = "state = 'ACTIVE' AND dedup_key IS NOT NULL"
# What a filtered figure reads of a link besides its state and time (incidents/stats_filtered.py).
FIGURE_COLUMNS = ("priority", "incident_type", "resolved_at", "acknowledged_at")


class Incident(Base):
    __tablename__ = "incidents"
    # Incidents across all assets, newest first (incidents/search.py): in any state, or in one.
    # With `removed`, the figures (incidents/stats.py) count from these indexes alone; the
    # last one also covers the time to resolve, and names the incidents resolved since a moment
    # (incidents/stats_filtered.py).
    __table_args__ = (
        Index("ix_incidents_newest", "created_at", "id", "removed"),
        Index("ix_incidents_state_newest", "state", "created_at", "id", "removed"),
        Index("ix_incidents_resolved", "resolved_at", "created_at", "removed", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    urn: Mapped[str] = mapped_column(String(300), unique=True)
    incident_type: Mapped[str] = mapped_column(String(32))
    custom_type: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(32))
    status_message: Mapped[str | None] = mapped_column(Text)
    status_updated_at: Mapped[int] = mapped_column(BigInteger)
    status_updated_by: Mapped[str] = mapped_column(String(300))
    priority: Mapped[int | None] = mapped_column(Integer)  # 0 CRITICAL .. 3 LOW
    source_type: Mapped[str] = mapped_column(String(32))
    source_urn: Mapped[str | None] = mapped_column(String(512))  # e.g. the failing assertion
    started_at: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[int] = mapped_column(BigInteger)  # last activity of any kind
    # Chosen by automation: while this incident is active, raising the same key on one of its
    # assets returns it instead of opening another (see incidents/dedup.py).
    dedup_key: Mapped[str | None] = mapped_column(String(200))
    # What the figures read (incidents/stats.py), kept with each change: when the incident was
    # first acknowledged (it had an assignee, or a stage past TRIAGE), when it was last resolved
    # (null while active), and how often it was reopened.
    acknowledged_at: Mapped[int | None] = mapped_column(BigInteger)
    resolved_at: Mapped[int | None] = mapped_column(BigInteger)
    reopen_count: Mapped[int] = mapped_column(Integer, server_default="0")
    # Soft-deleted (a `status` aspect with removed: true): out of every list, search and health
    # (its links hold the state REMOVED), kept, and restored by removed: false.
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    # Loaded when first used: a page of incidents rarely needs them.
    assets: Mapped[list[IncidentAsset]] = relationship(
        order_by="IncidentAsset.position", cascade="all, delete-orphan"
    )
    assignees: Mapped[list[IncidentAssignee]] = relationship(
        order_by="IncidentAssignee.position", cascade="all, delete-orphan"
    )


class IncidentAsset(Base):
    """An asset an incident is on; position 0 is the incident's `entity`. The incident's state
    and creation time are copied here so that a page of an asset's incidents, newest first, is
    read from one index however many incidents the asset has; its type, priority and figure
    times too, so that filtered figures read one index (incidents/stats_filtered.py)."""

    __tablename__ = "incident_assets"
    __table_args__ = (
        Index("ix_incident_assets_newest", "asset_id", "created_at", "incident_id"),
        # An asset's incidents in one state, newest first; and, after them, what a filtered
        # figure reads of the links of the assets it asks for.
        Index(
            "ix_incident_assets_state_newest",
            "asset_id",
            "state",
            "created_at",
            "incident_id",
            *FIGURE_COLUMNS,
        ),
        # The links of a period (one range), and the backlog (active, raised before; another).
        Index(
            "ix_incident_assets_figures",
            "state",
            "created_at",
            *FIGURE_COLUMNS[:2],
            "asset_id",
            "incident_id",
            *FIGURE_COLUMNS[2:],
        ),
        # At most one active incident per asset and dedup key, whoever raises it concurrently.
        Index(
            "ux_incident_assets_active_dedup",
            "asset_id",
            "dedup_key",
            unique=True,
            sqlite_where=text(ACTIVE_WITH_KEY),
            postgresql_where=text(ACTIVE_WITH_KEY),
        ),
    )

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    # Checked at commit: at the INSERT, PostgreSQL's key-share lock on the asset's row meets
    # concurrent raises' updates of it and makes it a multixact (migration 0020).
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", deferrable=True, initially="DEFERRED"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))  # the incident's
    created_at: Mapped[int] = mapped_column(BigInteger)  # the incident's
    dedup_key: Mapped[str | None] = mapped_column(String(200))  # the incident's
    # The incident's too (null only before migration 0024 filled them).
    incident_type: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[int | None] = mapped_column(Integer)
    resolved_at: Mapped[int | None] = mapped_column(BigInteger)
    acknowledged_at: Mapped[int | None] = mapped_column(BigInteger)
    asset: Mapped[Asset] = relationship(lazy="joined")


class IncidentAssignee(Base):
    __tablename__ = "incident_assignees"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    assignee_urn: Mapped[str] = mapped_column(String(512), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    # When and by whom (None before migration 0019: read as the incident's creation).
    assigned_at: Mapped[int | None] = mapped_column(BigInteger)
    assigned_by: Mapped[str | None] = mapped_column(String(512))


class IncidentActivity(Base):
    """Append-only timeline: one row per change (raised, state, stage, priority, ...)."""

    __tablename__ = "incident_activity"
    __table_args__ = (Index("ix_incident_activity_incident", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)  # JSON
    new_value: Mapped[str | None] = mapped_column(Text)  # JSON
    message: Mapped[str | None] = mapped_column(Text)
    # How the change came when not straight from the API or the web UI: "mcp" for an agent's
    # tool call (the actor is still the token's user).
    via: Mapped[str | None] = mapped_column(String(16))


# Typed handles on the tables, for the hot paths written with plain inserts and updates.
INCIDENTS = cast(Table, Incident.__table__)
INCIDENT_ASSETS = cast(Table, IncidentAsset.__table__)
INCIDENT_ASSIGNEES = cast(Table, IncidentAssignee.__table__)
INCIDENT_ACTIVITY = cast(Table, IncidentActivity.__table__)


class IncidentDeletion(Base):
    """Who deleted which incident, and when: an incident's hard delete leaves this row, with
    what the incident was (JSON: type, title, state, assets, created), and nothing else."""

    __tablename__ = "incident_deletions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_urn: Mapped[str] = mapped_column(String(300))
    deleted_at: Mapped[int] = mapped_column(BigInteger)
    deleted_by: Mapped[str] = mapped_column(String(300))
    incident: Mapped[str] = mapped_column(Text)  # JSON


INCIDENT_DELETIONS = cast(Table, IncidentDeletion.__table__)


class IncidentRollup(Base):
    """The figures' counts per group and per day, and per 16 days (incidents/rollups.py keeps
    them with every change): how many incidents were raised and resolved, and how many took
    how long to be acknowledged and resolved (a histogram: one row per duration bucket)."""

    __tablename__ = "incident_rollups"
    # The key is the row: one B-tree on SQLite, not two.
    __table_args__ = ({"sqlite_with_rowid": False},)

    # A grouping (A, T, R, P, O, S), or a slice of one (rollups.keys_of).
    dimension: Mapped[str] = mapped_column(String(256), primary_key=True)
    span_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_day: Mapped[int] = mapped_column(Integer, primary_key=True)  # days since the epoch
    group_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    measure: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


INCIDENT_ROLLUPS = cast(Table, IncidentRollup.__table__)
