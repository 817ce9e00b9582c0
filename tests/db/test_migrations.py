"""The migrations build the schema the models describe: a new database migrated to head, compared
with the models (db/registry.py, what migrations/env.py hands Alembic) by Alembic's autogenerate,
shows no difference, on SQLite and on PostgreSQL. What the migrations make on purpose outside the
models is named below, each with its reason; nothing else is left out."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.schema import CreateIndex

from dataflare.db.migrate import upgrade
from dataflare.db.registry import Base
from tests.conftest import BACKENDS, new_postgres_database

# (dialect, kind of object, name): why the models do not describe it.
NOT_IN_MODELS = {
    ("sqlite", "table", "asset_text"): "FTS5 trigram index of asset text (0011), SQL-only",
    ("sqlite", "table", "asset_text_config"): "a shadow table FTS5 keeps for asset_text",
    ("sqlite", "table", "asset_text_data"): "a shadow table FTS5 keeps for asset_text",
    ("sqlite", "table", "asset_text_docsize"): "a shadow table FTS5 keeps for asset_text",
    ("sqlite", "table", "asset_text_idx"): "a shadow table FTS5 keeps for asset_text",
    ("postgresql", "index", "ix_assets_text_trgm"): "pg_trgm GIN index of asset text (0011)",
    # SQLite cannot reflect an index on an expression, so Alembic cannot compare these there:
    # test_indexes_are_defined_as_in_the_models compares their statements instead.
    ("sqlite", "index", "ix_assets_visible_by_name"): "on lower(name): SQLite cannot reflect it",
    ("sqlite", "index", "ix_assets_visible_by_kind"): "on lower(name): SQLite cannot reflect it",
    ("sqlite", "index", "ix_assets_visible_by_platform"): "on lower(name): cannot be reflected",
    ("sqlite", "index", "ix_assets_with_incidents_by_name"): "on lower(name): cannot be reflected",
}
# SQLAlchemy, reading SQLite's schema, and Alembic, reading the models, say which indexes they
# skip as expressions they cannot compare; each must be named above.
SKIPPED_INDEX = re.compile(
    r"(?:Skipped unsupported reflection of expression-based index (\w+)$"
    r"|autogenerate skipping metadata-specified expression-based index '(\w+)')"
)
PG_INDEXES = text(
    "SELECT schemaname, indexname, indexdef FROM pg_indexes"
    " WHERE schemaname IN ('public', 'models')"
)


@pytest.fixture(params=BACKENDS)
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Connection]:
    """A connection to a new database that the project's own migrate code brought to head."""
    if request.param == "sqlite":
        yield from _migrated(f"sqlite:///{tmp_path / 'new.db'}")
    else:
        with new_postgres_database() as url:
            yield from _migrated(url)


def _migrated(url: str) -> Iterator[Connection]:
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def differences(connection: Connection) -> tuple[list[Any], set[tuple[str, str, str]]]:
    """What autogenerate would write to bring the database to the models, and what it was told
    to leave out."""
    dialect = connection.dialect.name
    left_out: set[tuple[str, str, str]] = set()

    def include(name: str | None, kind: str) -> bool:
        key = (dialect, kind, name or "")
        if key in NOT_IN_MODELS:
            left_out.add(key)
            return False
        return True

    context = MigrationContext.configure(
        connection,
        opts={
            # As migrations/env.py configures it, and comparing all that autogenerate can.
            "target_metadata": Base.metadata,
            "render_as_batch": dialect == "sqlite",
            "compare_type": True,
            "compare_server_default": True,
            "include_name": lambda name, kind, _parents: include(name, kind),
            "include_object": lambda _obj, name, kind, _reflected, _to: include(name, kind),
        },
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = compare_metadata(context, Base.metadata)
    for warning in caught:
        skipped = SKIPPED_INDEX.match(str(warning.message))
        if skipped:
            key = (dialect, "index", skipped.group(1) or skipped.group(2))
            assert key in NOT_IN_MODELS, warning.message
            left_out.add(key)
        else:  # anything else is reported as usual (and fails the test)
            warnings.warn_explicit(warning.message, warning.category, warning.filename, 0)
    return found, left_out


def test_a_migrated_database_is_what_the_models_describe(migrated: Connection) -> None:
    found, left_out = differences(migrated)

    assert found == [], found
    # Each exception still names something the migrations make: none outlives its object.
    dialect = migrated.dialect.name
    assert left_out == {key for key in NOT_IN_MODELS if key[0] == dialect}


def test_indexes_are_defined_as_in_the_models(migrated: Connection) -> None:
    """Autogenerate reads neither an index's WHERE, nor, on SQLite, its expressions: the
    database's own text of each index must be that of the models' index."""
    if migrated.dialect.name == "sqlite":
        stored: dict[str, str | None] = dict(
            migrated.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")).all()
        )
        for table in Base.metadata.sorted_tables:
            for index in table.indexes:
                expected = str(CreateIndex(index).compile(dialect=migrated.dialect)).strip()
                assert stored.get(str(index.name)) == expected
        return
    # PostgreSQL prints an index in a form of its own: build the models' indexes in a schema of
    # their own, in a transaction never committed, and compare the two prints.
    transaction = migrated.begin()
    try:
        migrated.execute(text("CREATE SCHEMA models"))
        Base.metadata.create_all(migrated.execution_options(schema_translate_map={None: "models"}))
        printed = migrated.execute(PG_INDEXES).all()
    finally:
        transaction.rollback()
    definitions: dict[str, dict[str, str]] = {"public": {}, "models": {}}
    for schema, name, definition in printed:
        definitions[schema][name] = definition.replace(f" {schema}.", " ")
    for name, definition in definitions["models"].items():
        assert definitions["public"].get(name) == definition
    made_outside = set(definitions["public"]) - set(definitions["models"])
    assert made_outside == {"alembic_version_pkc"} | {
        name for dialect, kind, name in NOT_IN_MODELS if (dialect, kind) == ("postgresql", "index")
    }
