"""Migrating a database from the command line: the schema (db/migrate.py), then what only the
services can fill. Migration 0023 makes the incident figures' rollups empty, as a migration
cannot count incidents (the database layer lies below them): the first command after it counts
them, before anything is served or written."""

from __future__ import annotations

import time
from collections.abc import Callable

import click
from sqlalchemy import Connection, text

from dataflare.db.database import WRITE_OPTION, make_engine
from dataflare.db.migrate import MIGRATION_LOCK_ID, Migrated
from dataflare.db.migrate import upgrade as upgrade_schema
from dataflare.incidents.rollups_rebuild import fill_if_missing


def upgrade(database_url: str) -> Migrated:
    done = upgrade_schema(database_url)
    counted, seconds = count_figures(database_url, fill_if_missing)
    if counted:
        click.echo(f"Counted the figures of {counted:,} incidents ({seconds:.1f} s).", err=True)
    return done


def count_figures(database_url: str, count: Callable[[Connection], int]) -> tuple[int, float]:
    """Run a count of the rollups in a transaction of its own: (incidents counted, seconds).
    It holds the write lock from its start (SQLite) or the migrations' lock (PostgreSQL): two
    servers starting at once would otherwise both find the rollups empty and both fill them,
    and the second would fail on the first's rows. The second waits, then finds them full."""
    engine = make_engine(database_url)
    began = time.perf_counter()
    try:
        with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
            if connection.dialect.name == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:id)")
                connection.execute(lock, {"id": MIGRATION_LOCK_ID})
            counted = count(connection)
    finally:
        engine.dispose()
    return counted, time.perf_counter() - began
