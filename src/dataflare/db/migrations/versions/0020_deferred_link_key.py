"""An incident link's foreign key to its asset is checked at commit, not at the INSERT.

On PostgreSQL, checking it at the INSERT takes a key-share lock on the asset's row. Raises on
one asset each hold that lock while another raise updates the row's summary, so PostgreSQL
turns the row's lock into a shared multixact, which every later raise must extend and every
reader must look through: raises on one asset ran at a third of their rate (bench/README.md).
Checked at commit, the lock comes after the raise's own update of the row, which it already
holds. SQLite has no such locks; it gets the same rule so that both behave alike.

Revision ID: 0020_deferred_link_key
Revises: 0019_assignee_stamps
Create Date: 2026-12-01 08:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_deferred_link_key"
down_revision = "0019_assignee_stamps"
branch_labels = None
depends_on = None

IMMEDIATE = "REFERENCES assets (id)"
DEFERRED = "REFERENCES assets (id) DEFERRABLE INITIALLY DEFERRED"


def upgrade() -> None:
    _set(deferred=True)


def downgrade() -> None:
    _set(deferred=False)


def _set(deferred: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        _rebuild_sqlite(bind, deferred)
        return
    name = bind.execute(
        sa.text(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'incident_assets'::regclass "
            "AND confrelid = 'assets'::regclass AND contype = 'f'"
        )
    ).scalar_one()
    rule = "DEFERRABLE INITIALLY DEFERRED" if deferred else "NOT DEFERRABLE"
    op.execute(f'ALTER TABLE incident_assets ALTER CONSTRAINT "{name}" {rule}')


def _rebuild_sqlite(bind: sa.Connection, deferred: bool) -> None:
    """SQLite cannot alter a constraint: the table is made anew from its own definition with
    only the asset key changed, its rows are copied, and its indexes are made again from their
    own statements (partial ones keep their WHERE). No other table refers to it and it has no
    triggers, so dropping the old one takes nothing with it."""
    table_sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'incident_assets'")
    ).scalar_one()
    if table_sql.count(IMMEDIATE) != 1 or (DEFERRED in table_sql) == deferred:
        raise RuntimeError(f"incident_assets is not as this migration expects: {table_sql}")
    indexes = (
        bind.execute(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'incident_assets' AND sql IS NOT NULL"
            )
        )
        .scalars()
        .all()
    )
    key = DEFERRED if deferred else IMMEDIATE
    body = table_sql[table_sql.index("(") :].replace(DEFERRED, IMMEDIATE).replace(IMMEDIATE, key)
    op.execute(f"CREATE TABLE incident_assets_rebuilt {body}")
    op.execute("INSERT INTO incident_assets_rebuilt SELECT * FROM incident_assets")
    op.execute("DROP TABLE incident_assets")
    op.execute("ALTER TABLE incident_assets_rebuilt RENAME TO incident_assets")
    for statement in indexes:
        op.execute(statement)
