"""An incident link's key to its asset is checked at commit (migration 0020): integrity holds on
both databases, and on PostgreSQL the INSERT takes no lock on the asset's row, so raises on one
asset no longer share that row's lock as a multixact (bench/README.md)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from dataflare.core.config import Settings
from dataflare.db.database import Database
from dataflare.db.migrate import alembic_config
from tests.conftest import GraphQL
from tests.graphql.documents import KAFKA, RAISE, UPDATE_STATUS

BEFORE, AFTER = "0019_assignee_stamps", "0020_deferred_link_key"
NEW_INCIDENT = text(
    "INSERT INTO incidents (urn, incident_type, title, state, status_updated_at, "
    "status_updated_by, source_type, started_at, created_at, created_by, updated_at) "
    "VALUES ('urn:li:incident:orphan', 'OPERATIONAL', 'orphan', 'ACTIVE', 1, "
    "'urn:li:corpuser:test', 'MANUAL', 1, 1, 'urn:li:corpuser:test', 1)"
)
LINK = (
    "INSERT INTO incident_assets (incident_id, asset_id, position, state, created_at) "
    "SELECT id, {asset}, 0, 'ACTIVE', 1 FROM incidents WHERE urn = 'urn:li:incident:orphan'"
)
ORPHANS = text("SELECT count(*) FROM incidents WHERE urn = 'urn:li:incident:orphan'")
LINKS = "SELECT incident_id, asset_id, position, state, created_at, dedup_key FROM incident_assets"


def test_a_link_to_no_asset_is_refused_at_commit_and_nothing_is_kept(db: Database) -> None:
    """On SQLite a refused COMMIT leaves its transaction open: the pool must end it, or the
    connection's next transaction cannot begin (the second block below)."""
    with db.engine.connect() as connection:
        connection.execute(NEW_INCIDENT)
        connection.execute(text(LINK.format(asset=987654)))  # accepted for now: checked later
        with pytest.raises(IntegrityError):
            connection.commit()
    with db.engine.connect() as connection:
        assert connection.scalar(ORPHANS) == 0


def test_a_link_takes_no_lock_on_its_asset_before_commit(db: Database, gql: GraphQL) -> None:
    """Another transaction holds the asset's row FOR UPDATE (which a key-share lock would wait
    for); the link's INSERT still goes through at once, and commits once the row is free."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    gql.data(RAISE, {"input": {"type": "OPERATIONAL", "resourceUrn": KAFKA}})
    with db.engine.connect() as holder, db.engine.connect() as raiser:
        asset = holder.scalar(text("SELECT id FROM assets WHERE urn = :urn"), {"urn": KAFKA})
        holder.execute(text("SELECT id FROM assets WHERE id = :id FOR UPDATE"), {"id": asset})
        raiser.execute(text("SET LOCAL lock_timeout = '2s'"))
        raiser.execute(NEW_INCIDENT)
        raiser.execute(text(LINK.format(asset=asset)))  # a key-share lock would time out here
        holder.rollback()
        raiser.commit()
        assert raiser.scalar(ORPHANS) == 1


def test_the_migration_keeps_every_link_and_index(
    settings: Settings, db: Database, gql: GraphQL
) -> None:
    """Down and up again (on SQLite the table is rebuilt): the same links, the key deferred
    again, and the unique index on active deduplication keys still partial."""
    keyed = {"type": "OPERATIONAL", "resourceUrn": KAFKA, "dedupKey": "nightly"}
    first = gql.data(RAISE, {"input": keyed})["raiseIncident"]
    gql.data(UPDATE_STATUS, {"urn": first, "input": {"state": "RESOLVED"}})
    second = gql.data(RAISE, {"input": keyed})["raiseIncident"]  # once the first is resolved
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA}})
    with db.engine.connect() as connection:
        kept = sorted(connection.execute(text(LINKS)).all())
    assert len(kept) == 3

    config = alembic_config(settings.database_url)
    command.downgrade(config, BEFORE)
    try:
        assert not _deferred(settings.database_url)
        command.upgrade(config, AFTER)
    finally:  # on PostgreSQL the run's other tests share this database: leave it whole
        command.upgrade(config, "head")

    assert _deferred(settings.database_url)
    with db.engine.connect() as connection:
        assert sorted(connection.execute(text(LINKS)).all()) == kept
    again = gql.data(RAISE, {"input": keyed})["raiseIncident"]  # deduplicated: the active one
    assert again == second != first
    with db.engine.connect() as connection:
        assert len(connection.execute(text(LINKS)).all()) == 3


def _deferred(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                return bool(
                    connection.scalar(
                        text(
                            "SELECT condeferred FROM pg_constraint WHERE conrelid = "
                            "'incident_assets'::regclass AND confrelid = 'assets'::regclass"
                        )
                    )
                )
            table_sql = connection.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'incident_assets'")
            )
            return "DEFERRABLE INITIALLY DEFERRED" in str(table_sql)
    finally:
        engine.dispose()
