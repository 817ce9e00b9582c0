"""Lineage edges lose their three foreign keys to assets; assets may no longer be deleted.

An asset is never deleted: forgetting one hides it (`removed`), so that the incidents and
lineage that name it stay whole. The keys' cascades therefore never ran, and their checks only
cost: on PostgreSQL each checked key reads and key-share locks its asset's row, three a row, so
writing a batch's 200 edges took 24 ms of which 16 were the checks (bench/README.md, ingestion).
A trigger now refuses any DELETE on assets, on both databases, so the ids an edge holds always
name a row: the rule the keys enforced at each insert is enforced where it could break.

Revision ID: 0021_lineage_without_keys
Revises: 0020_deferred_link_key
Create Date: 2026-12-02 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_lineage_without_keys"
down_revision = "0020_deferred_link_key"
branch_labels = None
depends_on = None

KEYED = ("upstream_id", "downstream_id", "origin_id")
REFUSAL = "assets are never deleted: set removed to hide one (lineage and incidents name it)"
_COLUMNS = """upstream_id INTEGER NOT NULL,
    downstream_id INTEGER NOT NULL,
    origin_id INTEGER NOT NULL,
    origin_aspect VARCHAR(64) NOT NULL,
    PRIMARY KEY (upstream_id, downstream_id, origin_id, origin_aspect)"""
_KEYS = "".join(
    f",\n    FOREIGN KEY({column}) REFERENCES assets (id) ON DELETE CASCADE" for column in KEYED
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in _postgres_keys():
            op.execute(f'ALTER TABLE lineage_edges DROP CONSTRAINT "{name}"')
        op.execute(
            "CREATE FUNCTION assets_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER assets_are_kept BEFORE DELETE ON assets "
            "FOR EACH ROW EXECUTE FUNCTION assets_are_kept()"
        )
        return
    _rebuild_sqlite(keyed=False)
    op.execute(
        "CREATE TRIGGER assets_are_kept BEFORE DELETE ON assets "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER assets_are_kept" + (" ON assets" if _postgres() else ""))
    if _postgres():
        op.execute("DROP FUNCTION assets_are_kept()")
        for column in KEYED:
            op.execute(
                f"ALTER TABLE lineage_edges ADD FOREIGN KEY ({column}) "
                "REFERENCES assets (id) ON DELETE CASCADE"
            )
        return
    _rebuild_sqlite(keyed=True)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _postgres_keys() -> list[str]:
    names = op.get_bind().execute(
        sa.text(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'lineage_edges'::regclass "
            "AND contype = 'f' ORDER BY conname"
        )
    )
    return list(names.scalars())


def _rebuild_sqlite(keyed: bool) -> None:
    """SQLite cannot drop or add a constraint: the table is made anew as this revision defines
    it, its rows copied, and its indexes made again from their own statements. No other table
    refers to it and it has no triggers, so dropping the old one takes nothing with it."""
    indexes = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'lineage_edges' AND sql IS NOT NULL"
            )
        )
        .scalars()
        .all()
    )
    op.execute(f"CREATE TABLE lineage_edges_rebuilt (\n    {_COLUMNS}{_KEYS if keyed else ''}\n)")
    op.execute(
        "INSERT INTO lineage_edges_rebuilt (upstream_id, downstream_id, origin_id, origin_aspect) "
        "SELECT upstream_id, downstream_id, origin_id, origin_aspect FROM lineage_edges"
    )
    op.execute("DROP TABLE lineage_edges")
    op.execute("ALTER TABLE lineage_edges_rebuilt RENAME TO lineage_edges")
    for statement in indexes:
        op.execute(statement)
