"""Access: users with roles, token expiry and last use, web sessions, failed logins, keys.

Every user who already holds a token becomes a user: `datahub` as Admin, the others as Editor,
which is what their tokens could do before roles existed.

Revision ID: 0002_access
Revises: 0001
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0002_access"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_hash"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_failures_account", "login_failures", ["account"])
    op.create_index("ix_login_failures_address", "login_failures", ["address"])
    op.create_index("ix_login_failures_at", "login_failures", ["at"])
    op.create_table(
        "server_keys",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("access_tokens") as batch_op:
        batch_op.add_column(sa.Column("owner_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_access_tokens_owner_name", ["owner_name"])

    op.execute("UPDATE access_tokens SET owner_name = user_name")
    now = time.time_ns() // 1_000_000
    op.execute(
        sa.text(
            "INSERT INTO users (name, password_hash, role, active, created_at) "
            "SELECT DISTINCT user_name, NULL, "
            "CASE WHEN user_name = 'datahub' THEN 'Admin' ELSE 'Editor' END, :active, :now "
            "FROM access_tokens"
        ).bindparams(active=True, now=now)
    )


def downgrade() -> None:
    with op.batch_alter_table("access_tokens") as batch_op:
        batch_op.drop_index("ix_access_tokens_owner_name")
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("description")
        batch_op.drop_column("owner_name")
    op.drop_table("server_keys")
    op.drop_index("ix_login_failures_at", "login_failures")
    op.drop_index("ix_login_failures_address", "login_failures")
    op.drop_index("ix_login_failures_account", "login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_web_sessions_user_id", "web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("users")
