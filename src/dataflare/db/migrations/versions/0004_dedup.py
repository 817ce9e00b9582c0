"""Dedup keys: automation raising the same key again finds the incident it opened.

Revision ID: 0004_dedup
Revises: 0003_catalog
Create Date: 2026-11-26 12:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_dedup"
down_revision = "0003_catalog"
branch_labels = None
depends_on = None

ACTIVE_WITH_KEY = "state = 'ACTIVE' AND dedup_key IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedup_key", sa.String(length=200), nullable=True))
    # The key is copied to the links, like the state, so the database itself allows one
    # active incident per asset and key.
    with op.batch_alter_table("incident_assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedup_key", sa.String(length=200), nullable=True))
        batch_op.create_index(
            "ux_incident_assets_active_dedup",
            ["asset_id", "dedup_key"],
            unique=True,
            sqlite_where=sa.text(ACTIVE_WITH_KEY),
            postgresql_where=sa.text(ACTIVE_WITH_KEY),
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_assets", schema=None) as batch_op:
        batch_op.drop_index("ux_incident_assets_active_dedup")
        batch_op.drop_column("dedup_key")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("dedup_key")
