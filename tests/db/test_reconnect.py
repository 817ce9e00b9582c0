"""A pooled PostgreSQL connection the server dropped while it sat idle is replaced, unseen, on
its next use (db/database.py pings connections idle longer than PING_AFTER_IDLE_S)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from dataflare.db.database import PING_AFTER_IDLE_S, Database


def test_a_connection_dropped_while_idle_is_replaced(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no server to drop a connection")
    db = Database(database_url)
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with db.session() as session:
            dropped = session.scalar(text("SELECT pg_backend_pid()"))
        with admin.connect() as connection:
            assert connection.scalar(text(f"SELECT pg_terminate_backend({int(dropped)})"))
        time.sleep(PING_AFTER_IDLE_S + 0.5)

        with db.session() as session:
            serving = session.scalar(text("SELECT pg_backend_pid()"))
        assert serving != dropped
    finally:
        admin.dispose()
        db.dispose()
