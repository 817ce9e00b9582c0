"""Migration 0013 spreads the counts per (type, platform) over shards: the counts a database
held before are the same after it, and going back sums the shards into one row again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from dataflare.db.migrate import alembic_config
from tests.conftest import BACKENDS, new_postgres_database

BEFORE, SHARDED = "0012_delivery", "0013_kind_count_shards"
READ = "SELECT kind, platform, sum(assets) FROM {table} GROUP BY kind, platform ORDER BY 1, 2"


@contextmanager
def empty_database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'shards.db'}"
    else:
        with new_postgres_database() as url:
            yield url


def run(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(sql))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_counts_are_kept_across_the_migration_both_ways(backend: str, tmp_path: Path) -> None:
    with empty_database(backend, tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, BEFORE)
        for table in ("incident_kind_counts", "visible_kind_counts"):
            run(url, f"INSERT INTO {table} VALUES ('dataset', 'hive', 3), ('chart', 'looker', 1)")

        command.upgrade(config, SHARDED)
        for table in ("incident_kind_counts", "visible_kind_counts"):
            kept = [("chart", "looker", 1), ("dataset", "hive", 3)]
            assert run(url, READ.format(table=table)) == kept
            run(
                url,
                f"INSERT INTO {table} (kind, platform, shard, assets) VALUES "
                "('dataset', 'hive', 5, 2)",
            )

        command.downgrade(config, BEFORE)
        for table in ("incident_kind_counts", "visible_kind_counts"):
            summed = [("chart", "looker", 1), ("dataset", "hive", 5)]
            assert run(url, READ.format(table=table)) == summed
            assert run(url, f"SELECT count(*) FROM {table}") == [(2,)]
