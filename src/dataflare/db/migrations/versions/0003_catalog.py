"""Catalog: asset properties, owners, lineage, people and groups, active-incident summaries.

Revision ID: 0003_catalog
Revises: 0002_access
Create Date: 2026-11-26 09:29:42.122121
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_catalog"
down_revision = "0002_access"
branch_labels = None
depends_on = None


ACTIVE_ON_ASSET = """
    FROM incident_assets ia JOIN incidents i ON i.id = ia.incident_id
    WHERE ia.asset_id = assets.id AND i.state = 'ACTIVE'
"""
BACKFILL_SUMMARIES = f"""
UPDATE assets SET
  active_incidents = (SELECT count(*) {ACTIVE_ON_ASSET}),
  latest_incident_id = (
    SELECT i.id {ACTIVE_ON_ASSET} ORDER BY i.created_at DESC, i.id DESC LIMIT 1
  ),
  incidents_changed_at = (SELECT max(i.updated_at) {ACTIVE_ON_ASSET})
"""


BACKFILL_LINKS = """
UPDATE incident_assets SET
  state = (SELECT i.state FROM incidents i WHERE i.id = incident_assets.incident_id),
  created_at = (SELECT i.created_at FROM incidents i WHERE i.id = incident_assets.incident_id)
"""


def upgrade() -> None:
    op.create_table(
        "actors",
        sa.Column("urn", sa.String(length=300), nullable=False),
        sa.Column("display_name", sa.String(length=300), nullable=True),
        sa.Column("email", sa.String(length=300), nullable=True),
        sa.Column("slack", sa.String(length=300), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("urn"),
    )
    op.create_table(
        "asset_owners",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("owner_urn", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("asset_id", "owner_urn"),
    )
    with op.batch_alter_table("asset_owners", schema=None) as batch_op:
        batch_op.create_index("ix_asset_owners_owner", ["owner_urn"], unique=False)

    op.create_table(
        "lineage_edges",
        sa.Column("upstream_id", sa.Integer(), nullable=False),
        sa.Column("downstream_id", sa.Integer(), nullable=False),
        sa.Column("origin_id", sa.Integer(), nullable=False),
        sa.Column("origin_aspect", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["downstream_id"], ["assets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["origin_id"], ["assets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["upstream_id"], ["assets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("upstream_id", "downstream_id", "origin_id", "origin_aspect"),
    )
    with op.batch_alter_table("lineage_edges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lineage_downstream", ["downstream_id", "upstream_id"], unique=False
        )
        batch_op.create_index("ix_lineage_origin", ["origin_id", "origin_aspect"], unique=False)

    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("active_incidents", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("latest_incident_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("incidents_changed_at", sa.BigInteger(), nullable=True))
        batch_op.drop_index("ix_assets_kind")
        batch_op.drop_index("ix_assets_platform")
        batch_op.create_index(
            "ix_assets_incidents_search",
            ["active_incidents", "removed", "kind", "platform", "name"],
            unique=False,
        )

    # Each incident's state and creation time, copied to its links for an index to serve
    # "the newest incidents on this asset" (see IncidentAsset).
    with op.batch_alter_table("incident_assets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), nullable=False, server_default="ACTIVE")
        )
        batch_op.add_column(
            sa.Column("created_at", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.drop_index("ix_incident_assets_asset")
        batch_op.create_index(
            "ix_incident_assets_newest", ["asset_id", "created_at", "incident_id"], unique=False
        )
        batch_op.create_index(
            "ix_incident_assets_state_newest",
            ["asset_id", "state", "created_at", "incident_id"],
            unique=False,
        )
    op.execute(BACKFILL_LINKS)
    with op.batch_alter_table("incident_assets", schema=None) as batch_op:
        batch_op.alter_column("state", server_default=None)
        batch_op.alter_column("created_at", server_default=None)

    # Summaries for the incidents already there.
    op.execute(BACKFILL_SUMMARIES)


def downgrade() -> None:
    with op.batch_alter_table("incident_assets", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_assets_state_newest")
        batch_op.drop_index("ix_incident_assets_newest")
        batch_op.create_index("ix_incident_assets_asset", ["asset_id", "incident_id"], unique=False)
        batch_op.drop_column("created_at")
        batch_op.drop_column("state")

    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index("ix_assets_incidents_search")
        batch_op.create_index("ix_assets_kind", ["kind"], unique=False)
        batch_op.create_index("ix_assets_platform", ["platform"], unique=False)
        batch_op.drop_column("incidents_changed_at")
        batch_op.drop_column("latest_incident_id")
        batch_op.drop_column("active_incidents")
        batch_op.drop_column("removed")
        batch_op.drop_column("description")

    with op.batch_alter_table("lineage_edges", schema=None) as batch_op:
        batch_op.drop_index("ix_lineage_origin")
        batch_op.drop_index("ix_lineage_downstream")

    op.drop_table("lineage_edges")
    with op.batch_alter_table("asset_owners", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_owners_owner")

    op.drop_table("asset_owners")
    op.drop_table("actors")
