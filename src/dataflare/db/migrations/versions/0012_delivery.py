"""Each notification event keeps the audience the worker resolved when it routed the event (the
incident's assets, their owners and downstream owners, the actor), so that its deliveries, to
every destination and on every retry, share one reading of the catalog. And the index of due
deliveries ends with their id: a claim reads them in (next attempt, id) order and stops at its
batch, instead of sorting every due delivery.

Revision ID: 0012_delivery
Revises: 0011_search_text
Create Date: 2026-11-30 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_delivery"
down_revision = "0011_search_text"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: events routed before this migration have none, and are resolved when delivered.
    op.add_column("notification_events", sa.Column("audience", sa.Text(), nullable=True))
    op.drop_index("ix_notification_deliveries_due", table_name="notification_deliveries")
    op.create_index(
        "ix_notification_deliveries_due",
        "notification_deliveries",
        ["status", "next_attempt_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_notification_deliveries_due", table_name="notification_deliveries")
    op.create_index(
        "ix_notification_deliveries_due", "notification_deliveries", ["status", "next_attempt_at"]
    )
    with op.batch_alter_table("notification_events") as batch:
        batch.drop_column("audience")
