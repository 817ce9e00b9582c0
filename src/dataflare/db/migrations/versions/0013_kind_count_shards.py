"""The counts per (type, platform) spread over shards: a raise that makes an asset unhealthy,
and the registering of a new asset, add to one of these rows, and with one row per pair every
such writer waited for the one before it to commit. Each writer now adds to its own shard's
row; readers sum the shards. The tables hold only counts, so they are rebuilt with their rows
(in shard 0).

Revision ID: 0013_kind_count_shards
Revises: 0012_delivery
Create Date: 2026-11-30 14:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_kind_count_shards"
down_revision = "0012_delivery"
branch_labels = None
depends_on = None

TABLES = ("incident_kind_counts", "visible_kind_counts")


def _rebuild(table: str, sharded: bool) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(f"SELECT kind, platform, sum(assets) FROM {table} GROUP BY kind, platform")
    ).all()
    op.drop_table(table)
    columns: list[sa.Column[object]] = [
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=200), nullable=False),
    ]
    key = ["kind", "platform"]
    if sharded:
        columns.append(sa.Column("shard", sa.Integer(), server_default="0", nullable=False))
        key.append("shard")
    counts = op.create_table(
        table,
        *columns,
        sa.Column("assets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*key),
    )
    if rows:
        op.bulk_insert(
            counts,
            [{"kind": kind, "platform": platform, "assets": n} for kind, platform, n in rows],
        )


def upgrade() -> None:
    for table in TABLES:
        _rebuild(table, sharded=True)


def downgrade() -> None:
    for table in TABLES:
        _rebuild(table, sharded=False)
