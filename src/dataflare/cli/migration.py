"""Migrating a database from the command line: the schema (db/migrate.py), then what only the
services can fill. Migration 0023 makes the incident figures' rollups empty, as a migration
cannot count incidents (the database layer lies below them): the first command after it counts
them, before anything is served or written."""

from __future__ import annotations

import time

import click

from dataflare.db.database import make_engine
from dataflare.db.migrate import Migrated
from dataflare.db.migrate import upgrade as upgrade_schema
from dataflare.incidents.rollups import fill_if_missing


def upgrade(database_url: str) -> Migrated:
    done = upgrade_schema(database_url)
    engine = make_engine(database_url)
    began = time.perf_counter()
    try:
        with engine.begin() as connection:
            counted = fill_if_missing(connection)
    finally:
        engine.dispose()
    if counted:
        seconds = time.perf_counter() - began
        click.echo(f"Counted the figures of {counted:,} incidents ({seconds:.1f} s).", err=True)
    return done
