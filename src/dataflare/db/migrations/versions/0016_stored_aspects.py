"""The aspects Dataflare reads, kept as they were sent, for the GMS reads (/aspects,
/entitiesV2). Metadata sent before this revision is not there: sending it again fills it.
An incident's source URN (an incident sent as metadata names the assertion that raised it).
Who deleted which incident (incident_deletions, the audit of hard deletes). Whether an
incident is removed (soft-deleted).

Revision ID: 0016_stored_aspects
Revises: 0015_incident_figures
Create Date: 2026-11-30 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_stored_aspects"
down_revision = "0015_incident_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_aspects",
        sa.Column("urn", sa.String(length=1000), nullable=False),
        sa.Column("aspect", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("urn", "aspect"),
    )
    op.add_column("incidents", sa.Column("source_urn", sa.String(length=512), nullable=True))
    op.add_column(
        "incidents",
        sa.Column("removed", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "incident_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_urn", sa.String(length=300), nullable=False),
        sa.Column("deleted_at", sa.BigInteger(), nullable=False),
        sa.Column("deleted_by", sa.String(length=300), nullable=False),
        sa.Column("incident", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("incident_deletions")
    # A plain ALTER TABLE ... DROP COLUMN, never batch mode's copy of the table: on SQLite that
    # drops the old incidents table, and its ON DELETE CASCADE would empty the timelines.
    op.execute("ALTER TABLE incidents DROP COLUMN removed")
    op.execute("ALTER TABLE incidents DROP COLUMN source_urn")
    op.drop_table("stored_aspects")
