"""The app and the database it is given: the caller's to dispose, not the app's."""

from __future__ import annotations

from starlette.testclient import TestClient

from dataflare.app import create_app
from dataflare.core.config import Settings
from dataflare.db.database import Database


def test_an_app_stopping_leaves_a_database_it_was_given_open(
    settings: Settings, db: Database
) -> None:
    """Two apps on one database: the first to stop must not dispose of the engine under the
    other's requests and worker, whose connections would be orphaned and left open."""
    pool = db.engine.pool
    with TestClient(create_app(settings, db)) as first:
        with TestClient(create_app(settings, db)) as second:
            assert second.get("/health").status_code == 200

        assert db.engine.pool is pool
        assert first.get("/health").status_code == 200
    assert db.engine.pool is pool
