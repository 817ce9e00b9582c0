"""The incident indexes by time also hold `removed`, so the figures' counts are read from the
indexes alone: a soft-deleted incident counts nowhere, and checking that on the table cost a
row read per incident counted. On a 1,000,000-incident SQLite history, "open at the end" fell
from 45 to 4 ms and the 30-day totals from 69 to 45 ms (bench/README.md, incident figures).

Revision ID: 0022_figures_from_indexes
Revises: 0021_lineage_without_keys
Create Date: 2026-12-02 18:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0022_figures_from_indexes"
down_revision = "0021_lineage_without_keys"
branch_labels = None
depends_on = None

# name: (columns before, columns after)
INDEXES = {
    "ix_incidents_newest": (["created_at", "id"], ["created_at", "id", "removed"]),
    "ix_incidents_state_newest": (
        ["state", "created_at", "id"],
        ["state", "created_at", "id", "removed"],
    ),
    "ix_incidents_resolved": (
        ["resolved_at", "created_at"],
        ["resolved_at", "created_at", "removed"],
    ),
}


def _rebuild(after: bool) -> None:
    for name, columns in INDEXES.items():
        op.drop_index(name, table_name="incidents")
        op.create_index(name, "incidents", columns[after])


def upgrade() -> None:
    _rebuild(after=True)


def downgrade() -> None:
    _rebuild(after=False)
