"""Assertions and their runs (DataHub's assertionInfo and assertionRunEvent). New tables only
(an incident's source, the assertion whose failure raised it, is incidents.source_urn, added
by 0016).

Revision ID: 0017_assertions
Revises: 0016_stored_aspects
Create Date: 2026-11-30 19:22:55.831834
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_assertions"
down_revision = "0016_stored_aspects"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assertions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("urn", sa.String(length=512), nullable=False),
        sa.Column("assertion_type", sa.String(length=32), nullable=True),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("info", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("platform", sa.String(length=200), nullable=True),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("removed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("last_run_at", sa.BigInteger(), nullable=True),
        sa.Column("last_result", sa.String(length=16), nullable=True),
        sa.Column("last_run_id", sa.String(length=300), nullable=True),
        sa.Column("failures_in_row", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("urn"),
    )
    op.create_index("ix_assertions_asset", "assertions", ["asset_id", "removed", "id"])
    op.create_table(
        "assertion_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assertion_id", sa.Integer(), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("partition", sa.String(length=300), nullable=False),
        sa.Column("run_id", sa.String(length=300), nullable=False),
        sa.Column("assertee_urn", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result_type", sa.String(length=16), nullable=True),
        sa.Column("event", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["assertion_id"], ["assertions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assertion_runs_age", "assertion_runs", ["timestamp_ms"])
    op.create_index(
        "ux_assertion_runs_event",
        "assertion_runs",
        ["assertion_id", "timestamp_ms", "partition"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("assertion_runs")
    op.drop_table("assertions")
