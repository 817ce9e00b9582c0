"""Lineage edges hold asset ids without foreign keys, and assets cannot be deleted (migration
0021): an edge's ids always name an asset, and on PostgreSQL writing an edge no longer reads and
locks the rows of the assets it names (bench/README.md, ingestion)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from dataflare.core.config import Settings
from dataflare.db.database import Database
from dataflare.db.migrate import alembic_config
from tests.ingest.mcps import dataset, upstreams
from tests.ingest.test_batch_writes import ADMIN_CALLER, apply

BEFORE, AFTER = "0020_deferred_link_key", "0021_lineage_without_keys"
ORDERS, RAW, STAGING = (dataset("hive", name) for name in ("orders", "raw", "staging"))
ASSET_IDS = text("SELECT id FROM assets ORDER BY id")
EDGES = text("SELECT upstream_id, downstream_id, origin_id, origin_aspect FROM lineage_edges")
INDEXES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'lineage_edges'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE tablename = 'lineage_edges'",
}


def test_deleting_an_asset_is_refused_and_changes_nothing(db: Database) -> None:
    apply(db, ADMIN_CALLER, upstreams(ORDERS, RAW, STAGING))
    with db.engine.connect() as connection:
        ids = connection.execute(ASSET_IDS).scalars().all()
        edges = sorted(connection.execute(EDGES).all())
    assert len(ids) == 3 and len(edges) == 2
    with db.engine.connect() as connection, pytest.raises(DBAPIError, match="never deleted"):
        connection.execute(text("DELETE FROM assets WHERE id = :id"), {"id": ids[0]})
    with db.engine.connect() as connection:
        assert connection.execute(ASSET_IDS).scalars().all() == ids
        assert sorted(connection.execute(EDGES).all()) == edges


def test_writing_an_edge_takes_no_lock_on_its_assets(db: Database) -> None:
    """Another transaction holds the upstream's row FOR UPDATE, which a foreign key's check
    (a key-share lock) would wait for; the edge's INSERT goes through at once."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    apply(db, ADMIN_CALLER, upstreams(ORDERS, RAW))
    with db.engine.connect() as holder, db.engine.connect() as writer:
        ids: dict[str, int] = dict(holder.execute(text("SELECT urn, id FROM assets")).all())
        holder.execute(text("SELECT id FROM assets WHERE id = :id FOR UPDATE"), {"id": ids[RAW]})
        writer.execute(text("SET LOCAL lock_timeout = '2s'"))
        writer.execute(
            text(
                "INSERT INTO lineage_edges VALUES (:up, :down, :down, 'upstreamLineage2')"
            ),  # a key's check would time out here
            {"up": ids[RAW], "down": ids[ORDERS]},
        )
        holder.rollback()
        writer.commit()
    with db.engine.connect() as connection:
        assert len(connection.execute(EDGES).all()) == 2


def test_the_migration_keeps_every_edge_and_index(settings: Settings, db: Database) -> None:
    """Down (the keys back, deleting allowed again) and up: the same edges and indexes."""
    apply(db, ADMIN_CALLER, upstreams(ORDERS, RAW, STAGING), upstreams(STAGING, RAW))
    dialect = db.engine.dialect.name
    with db.engine.connect() as connection:
        edges = sorted(connection.execute(EDGES).all())
        indexes = sorted(connection.execute(text(INDEXES[dialect])).scalars())
    assert len(edges) == 3 and _keys(settings.database_url) == 0

    config = alembic_config(settings.database_url)
    command.downgrade(config, BEFORE)
    try:
        assert _keys(settings.database_url) == 3
        assert not _delete_refused(settings.database_url)
        command.upgrade(config, AFTER)
    finally:  # on PostgreSQL the run's other tests share this database: leave it whole
        command.upgrade(config, "head")

    assert _keys(settings.database_url) == 0 and _delete_refused(settings.database_url)
    with db.engine.connect() as connection:
        assert sorted(connection.execute(EDGES).all()) == edges
        assert sorted(connection.execute(text(INDEXES[dialect])).scalars()) == indexes
        with pytest.raises(DBAPIError, match="never deleted"):
            connection.execute(text("DELETE FROM assets"))


def _keys(url: str) -> int:
    """How many foreign keys lineage_edges has."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                return int(
                    connection.scalar(
                        text(
                            "SELECT count(*) FROM pg_constraint WHERE conrelid = "
                            "'lineage_edges'::regclass AND contype = 'f'"
                        )
                    )
                )
            return len(connection.execute(text("PRAGMA foreign_key_list(lineage_edges)")).all())
    finally:
        engine.dispose()


def _delete_refused(url: str) -> bool:
    """Whether the trigger that refuses deleting assets is there (looked up, not tried: after
    the downgrade a delete would cascade to the edges the test compares)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                found = "SELECT count(*) FROM pg_trigger WHERE tgname = 'assets_are_kept'"
            else:
                found = "SELECT count(*) FROM sqlite_master WHERE name = 'assets_are_kept'"
            return bool(connection.scalar(text(found)))
    finally:
        engine.dispose()
