"""When each assignee was assigned, and by whom (DataHub's `assignees[].assignedAt`): kept as an
incident sent as metadata states it, else the time and author of the change that assigned them.
Assignees from before read as assigned when their incident was created.

Revision ID: 0019_assignee_stamps
Revises: 0018_asset_deleted_at
Create Date: 2026-11-30 23:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_assignee_stamps"
down_revision = "0018_asset_deleted_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("incident_assignees", sa.Column("assigned_at", sa.BigInteger(), nullable=True))
    op.add_column("incident_assignees", sa.Column("assigned_by", sa.String(512), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN: batch mode's copy of the table would lose its rows' ties.
    op.execute("ALTER TABLE incident_assignees DROP COLUMN assigned_by")
    op.execute("ALTER TABLE incident_assignees DROP COLUMN assigned_at")
