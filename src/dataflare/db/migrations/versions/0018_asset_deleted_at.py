"""When an asset was hard-deleted (`datahub delete --hard`, POST /entities?action=delete): it
then reads as not existing, as in DataHub, until metadata names it again. Its incidents stay.

Revision ID: 0018_asset_deleted_at
Revises: 0017_assertions
Create Date: 2026-11-30 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_asset_deleted_at"
down_revision = "0017_assertions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assets", sa.Column("deleted_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # A plain ALTER TABLE ... DROP COLUMN, never batch mode's copy of the table: on SQLite that
    # would lose the expression indexes and cascade the deletes of the old table.
    op.execute("ALTER TABLE assets DROP COLUMN deleted_at")
