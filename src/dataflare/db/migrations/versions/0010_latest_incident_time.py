"""Each asset keeps the creation time of its newest active incident beside its id, so that a
raise can tell, in the statement that locks the asset, whether it is newer.

Revision ID: 0010_latest_incident_time
Revises: 0007_urn_lengths
Create Date: 2026-11-30 11:00:00.000000
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0010_latest_incident_time"
down_revision = "0007_urn_lengths"
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE assets SET latest_incident_at = (
    SELECT l.created_at FROM incident_assets l
    WHERE l.asset_id = assets.id AND l.incident_id = assets.latest_incident_id
)
WHERE latest_incident_id IS NOT NULL
"""


def upgrade() -> None:
    # SQLite adds the column in place; it reflects the table's expression index on the way.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        op.add_column("assets", sa.Column("latest_incident_at", sa.BigInteger(), nullable=True))
    op.execute(BACKFILL)


def downgrade() -> None:
    # In place on both (SQLite 3.35 and later): copying the table, as batch mode would, trips
    # the foreign keys that point at it.
    op.execute("ALTER TABLE assets DROP COLUMN latest_incident_at")
