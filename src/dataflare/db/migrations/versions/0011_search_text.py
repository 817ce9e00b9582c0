"""Search in the database: a trigram index of each asset's name, description and URN (SQLite
FTS5, PostgreSQL pg_trgm); the visible assets in name order, also per type and per platform,
for paging; the counts of the visible assets per (type, platform) and per (owner, type,
platform), for the total and facets of "*" narrowed or not by type and platform (the "Has
Active Incidents" counts per owner get the type and platform too); and each asset's number of
incidents in any state, the total of its incident list.

On SQLite the FTS5 table reads its content from `assets` (external content), and three
triggers keep its index in step with every write of a name, description or URN, whatever
statement makes it: the ORM's flushes, the registration of new assets on the raise path, bulk
loads. An external-content index is updated by handing it the old text as well as the new,
which only a trigger sees for sure; the update trigger names its columns, so the writes of
incident summaries (the hot path) do not fire it. A later migration that copies `assets` (batch
mode on SQLite) drops these triggers and the expression indexes with the old table: it must
create them again.

Revision ID: 0011_search_text
Revises: 0010_latest_incident_time
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_search_text"
down_revision = "0010_latest_incident_time"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE asset_text USING fts5(name, description, urn, "
    "content='assets', content_rowid='id', tokenize='trigram')",
    """CREATE TRIGGER asset_text_insert AFTER INSERT ON assets BEGIN
    INSERT INTO asset_text (rowid, name, description, urn)
    VALUES (new.id, new.name, new.description, new.urn);
END""",
    """CREATE TRIGGER asset_text_delete AFTER DELETE ON assets BEGIN
    INSERT INTO asset_text (asset_text, rowid, name, description, urn)
    VALUES ('delete', old.id, old.name, old.description, old.urn);
END""",
    """CREATE TRIGGER asset_text_update AFTER UPDATE OF name, description, urn ON assets BEGIN
    INSERT INTO asset_text (asset_text, rowid, name, description, urn)
    VALUES ('delete', old.id, old.name, old.description, old.urn);
    INSERT INTO asset_text (rowid, name, description, urn)
    VALUES (new.id, new.name, new.description, new.urn);
END""",
    "INSERT INTO asset_text (asset_text) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER asset_text_update",
    "DROP TRIGGER asset_text_delete",
    "DROP TRIGGER asset_text_insert",
    "DROP TABLE asset_text",
]
# As catalog/search_text.py writes it, so that the planner matches its queries to the index.
# pg_trgm is a trusted extension: the database's owner may create it.
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_assets_text_trgm ON assets USING gin "
    "((name || ' ' || coalesce(description, '') || ' ' || urn) gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX ix_assets_text_trgm"]

VISIBLE = sa.column("removed") == sa.false()
BACKFILL_OWNERS = """
INSERT INTO {table} (owner_urn, kind, platform, assets)
SELECT o.owner_urn, a.kind, a.platform, count(*) FROM asset_owners o JOIN assets a
ON a.id = o.asset_id WHERE {searched} GROUP BY o.owner_urn, a.kind, a.platform
"""
BACKFILL_OLD_OWNERS = """
INSERT INTO incident_owner_counts (owner_urn, assets)
SELECT o.owner_urn, count(*) FROM asset_owners o JOIN assets a ON a.id = o.asset_id
WHERE a.active_incidents > 0 AND NOT a.removed GROUP BY o.owner_urn
"""
BACKFILL_TOTALS = """
UPDATE assets SET incidents_total =
    (SELECT count(*) FROM incident_assets l WHERE l.asset_id = assets.id)
"""
BACKFILL_KINDS = """
INSERT INTO visible_kind_counts (kind, platform, assets)
SELECT kind, platform, count(*) FROM assets WHERE NOT removed GROUP BY kind, platform
"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)
    op.create_index(
        "ix_assets_visible_by_name",
        "assets",
        [sa.text("lower(name)"), "id"],
        sqlite_where=VISIBLE,
        postgresql_where=VISIBLE,
    )
    for column in ("kind", "platform"):
        op.create_index(
            f"ix_assets_visible_by_{column}",
            "assets",
            [column, sa.text("lower(name)"), "id"],
            sqlite_where=VISIBLE,
            postgresql_where=VISIBLE,
        )
    op.drop_table("incident_owner_counts")
    for table in ("incident_owner_counts", "visible_owner_counts"):
        _owner_counts(table, ["owner_urn", "kind", "platform"])
    op.create_table(
        "visible_kind_counts",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=200), nullable=False),
        sa.Column("assets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "platform"),
    )
    op.execute(
        BACKFILL_OWNERS.format(
            table="incident_owner_counts", searched="a.active_incidents > 0 AND NOT a.removed"
        )
    )
    op.execute(BACKFILL_OWNERS.format(table="visible_owner_counts", searched="NOT a.removed"))
    op.execute(BACKFILL_KINDS)
    op.add_column(
        "assets", sa.Column("incidents_total", sa.Integer(), server_default="0", nullable=False)
    )
    op.execute(BACKFILL_TOTALS)


def _owner_counts(table: str, key: list[str]) -> None:
    op.create_table(
        table,
        sa.Column("owner_urn", sa.String(length=512), nullable=False),
        *(
            sa.Column(k, sa.String(length=32 if k == "kind" else 200), nullable=False)
            for k in key[1:]
        ),
        sa.Column("assets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*key),
    )


def downgrade() -> None:
    op.drop_table("visible_kind_counts")
    op.drop_table("visible_owner_counts")
    op.drop_table("incident_owner_counts")
    _owner_counts("incident_owner_counts", ["owner_urn"])
    op.execute(BACKFILL_OLD_OWNERS)
    op.drop_index("ix_assets_visible_by_platform", table_name="assets")
    op.drop_index("ix_assets_visible_by_kind", table_name="assets")
    op.drop_index("ix_assets_visible_by_name", table_name="assets")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
    # Not in batch mode on SQLite: a copy of the table would lose its expression indexes.
    op.execute("ALTER TABLE assets DROP COLUMN incidents_total")
