"""Search counts: per owner and per (type, platform), the assets a "Has Active Incidents" search
finds, and an index of those assets in search order.

Revision ID: 0006_search_counts
Revises: 0003_catalog
Create Date: 2026-11-26 12:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_search_counts"
down_revision = "0005_notifications"
branch_labels = None
depends_on = None

# As catalog/models.py writes it: the planners match a query's condition to this text.
WITH_INCIDENTS = sa.and_(
    sa.column("active_incidents") > sa.literal_column("0"), sa.column("removed") == sa.false()
)
SEARCHED = "a.active_incidents > 0 AND NOT a.removed"
BACKFILL_OWNERS = f"""
INSERT INTO incident_owner_counts (owner_urn, assets)
SELECT o.owner_urn, count(*) FROM asset_owners o JOIN assets a ON a.id = o.asset_id
WHERE {SEARCHED} GROUP BY o.owner_urn
"""
BACKFILL_KINDS = f"""
INSERT INTO incident_kind_counts (kind, platform, assets)
SELECT a.kind, a.platform, count(*) FROM assets a WHERE {SEARCHED} GROUP BY a.kind, a.platform
"""


def upgrade() -> None:
    op.create_table(
        "incident_owner_counts",
        sa.Column("owner_urn", sa.String(length=300), nullable=False),
        sa.Column("assets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_urn"),
    )
    op.create_table(
        "incident_kind_counts",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=200), nullable=False),
        sa.Column("assets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "platform"),
    )
    op.create_index(
        "ix_assets_with_incidents_by_name",
        "assets",
        [sa.text("lower(name)"), "id"],
        unique=False,
        sqlite_where=WITH_INCIDENTS,
        postgresql_where=WITH_INCIDENTS,
    )
    op.execute(BACKFILL_OWNERS)
    op.execute(BACKFILL_KINDS)


def downgrade() -> None:
    op.drop_index("ix_assets_with_incidents_by_name", table_name="assets")
    op.drop_table("incident_kind_counts")
    op.drop_table("incident_owner_counts")
