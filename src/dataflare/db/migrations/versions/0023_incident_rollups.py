"""The incident figures rolled up per group and per day (incidents/rollups.py). The table is
made empty: the rollups are counted by the incidents' own code, which the database layer lies
below, so the command that migrates counts them next (cli/migration.py, or `dataflare db
rebuild-figures` after a migration run by hand). Until then the figures read the incidents.

Revision ID: 0023_incident_rollups
Revises: 0022_figures_from_indexes
Create Date: 2026-12-03 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_incident_rollups"
down_revision = "0022_figures_from_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_rollups",
        sa.Column("dimension", sa.String(length=256), nullable=False),
        sa.Column("span_days", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=512), nullable=False),
        sa.Column("measure", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "dimension", "span_days", "first_day", "group_key", "measure", "bucket"
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("incident_rollups")
