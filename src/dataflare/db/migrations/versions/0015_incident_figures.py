"""What the incident figures read, kept on each incident: when it was first acknowledged, when
it was last resolved, and how often it was reopened. Filled from each timeline.

Revision ID: 0015_incident_figures
Revises: 0014_incident_search_and_via
Create Date: 2026-11-30 16:20:00.000000
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0015_incident_figures"
down_revision = "0014_incident_search_and_via"
branch_labels = None
depends_on = None

BATCH = 1_000


def upgrade() -> None:
    op.add_column("incidents", sa.Column("acknowledged_at", sa.BigInteger(), nullable=True))
    op.add_column("incidents", sa.Column("resolved_at", sa.BigInteger(), nullable=True))
    op.add_column(
        "incidents", sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_index("ix_incidents_resolved", "incidents", ["resolved_at", "created_at"])
    _fill()


def downgrade() -> None:
    op.drop_index("ix_incidents_resolved", table_name="incidents")
    # A plain ALTER TABLE ... DROP COLUMN, never batch mode's copy of the table: on SQLite that
    # drops the old incidents table, and its ON DELETE CASCADE would empty the timelines.
    for column in ("reopen_count", "resolved_at", "acknowledged_at"):
        op.execute(f"ALTER TABLE incidents DROP COLUMN {column}")


def _fill() -> None:
    """Replay each timeline, as incidents/figures.py keeps the values from now on."""
    connection = op.get_bind()
    entries = connection.execute(
        sa.text(
            "SELECT a.incident_id, a.at, a.kind, a.new_value, i.state FROM incident_activity a "
            "JOIN incidents i ON i.id = a.incident_id "
            "WHERE a.kind IN ('RAISED', 'STATE', 'STAGE', 'ASSIGNEES') ORDER BY a.incident_id, a.id"
        )
    )
    facts: dict[int, dict[str, int | None]] = {}
    for incident_id, at, kind, new_value, state in entries:
        new = json.loads(new_value) if new_value else None
        known = facts.setdefault(
            incident_id, {"acknowledged_at": None, "resolved_at": None, "reopen_count": 0}
        )
        raised = new if kind == "RAISED" and isinstance(new, dict) else None
        acknowledged = (
            (raised is not None and _acknowledged(raised.get("assignees"), raised.get("stage")))
            or (kind == "ASSIGNEES" and bool(new))
            or (kind == "STAGE" and new not in (None, "TRIAGE"))
        )
        if acknowledged and known["acknowledged_at"] is None:
            known["acknowledged_at"] = at
        if kind in ("RAISED", "STATE") and isinstance(new, (dict, str)):
            moved_to = new.get("state") if isinstance(new, dict) else new
            if moved_to == "RESOLVED":
                known["resolved_at"] = at
            elif kind == "STATE" and moved_to == "ACTIVE":
                known["reopen_count"] = (known["reopen_count"] or 0) + 1
        if state != "RESOLVED":
            known["resolved_at"] = None
    update = sa.text(
        "UPDATE incidents SET acknowledged_at = :acknowledged_at, resolved_at = :resolved_at, "
        "reopen_count = :reopen_count WHERE id = :id"
    )
    rows = [{"id": i, **values} for i, values in facts.items()]
    for start in range(0, len(rows), BATCH):
        connection.execute(update, rows[start : start + BATCH])


def _acknowledged(assignees: object, stage: object) -> bool:
    return bool(assignees) or stage not in (None, "TRIAGE")
