"""URNs of users and groups (owners, assignees, people) hold up to 512 characters, as every URN
does (DataHub's limit); they held 300, which PostgreSQL enforced and SQLite did not.

Revision ID: 0007_urn_lengths
Revises: 0006_search_counts
Create Date: 2026-11-30 10:30:00.000000
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0007_urn_lengths"
down_revision = "0006_search_counts"
branch_labels = None
depends_on = None

COLUMNS = [
    ("asset_owners", "owner_urn"),
    ("incident_owner_counts", "owner_urn"),
    ("incident_assignees", "assignee_urn"),
    ("actors", "urn"),
]


def _resize(old: int, new: int) -> None:
    # On SQLite each table is copied (batch mode), reflecting the tables its foreign keys name:
    # the assets' expression index is not reflected, and is not needed for that.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        for table, column in COLUMNS:
            with op.batch_alter_table(table) as batch:
                batch.alter_column(
                    column,
                    type_=sa.String(new),
                    existing_type=sa.String(old),
                    existing_nullable=False,
                )


def upgrade() -> None:
    _resize(300, 512)


def downgrade() -> None:
    _resize(512, 300)
