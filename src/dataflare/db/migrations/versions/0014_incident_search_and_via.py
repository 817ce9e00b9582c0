"""Incidents searched across all assets, newest first, from an index (in any state or in one);
and each timeline entry says how the change came when an agent made it through MCP.

Revision ID: 0014_incident_search_and_via
Revises: 0013_kind_count_shards
Create Date: 2026-11-30 16:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_incident_search_and_via"
down_revision = "0013_kind_count_shards"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incidents_newest", "incidents", ["created_at", "id"])
    op.create_index("ix_incidents_state_newest", "incidents", ["state", "created_at", "id"])
    op.add_column("incident_activity", sa.Column("via", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE incident_activity DROP COLUMN via")  # in place, on SQLite too
    op.drop_index("ix_incidents_state_newest", table_name="incidents")
    op.drop_index("ix_incidents_newest", table_name="incidents")
