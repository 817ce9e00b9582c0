"""Statements run on the driver's cursor (db/driver.py) are compiled on their first run, and no
ORM stands between them and the database: a table or column the models no longer have would only
show when one ran. Every one in the package, found by importing all its modules, compiles for
SQLite and PostgreSQL, names only tables and columns of the models, and is prepared by each
database on a schema made from the models alone."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement, visitors
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.selectable import Alias, TableClause

import dataflare
from dataflare.db.driver import DriverStatement
from dataflare.db.registry import Base
from tests.conftest import BACKENDS

# Modules whose import does more than define things.
NOT_IMPORTED = {"dataflare.server": "builds the app, and opens its database, from the environment"}
# A few statements the search must find, wherever the others are.
KNOWN = {
    "dataflare.catalog.service._ID_BY_URN",
    "dataflare.events.outbox._INSERT",
    "dataflare.incidents.service._INSERT_INCIDENT",
    "dataflare.incidents.summary._RAISED",
}
DIALECTS: dict[str, Dialect] = {
    "sqlite": sqlite.dialect(),
    "postgresql": postgresql.dialect(),  # type: ignore[no-untyped-call]
}


def module_statements() -> dict[str, DriverStatement]:
    """Every driver statement a module of the package holds, by the name it is held under."""
    found: dict[str, DriverStatement] = {}
    seen: set[int] = set()
    for module_info in pkgutil.walk_packages(dataflare.__path__, "dataflare."):
        if module_info.name in NOT_IMPORTED:
            continue
        module = importlib.import_module(module_info.name)
        for attribute, value in vars(module).items():
            held: Iterable[Any] = [value]
            if isinstance(value, dict):
                held = value.values()
            elif isinstance(value, list | tuple):
                held = value
            for item in held:
                # An import of another module's statement is the same object: count it once.
                if isinstance(item, DriverStatement) and id(item) not in seen:
                    seen.add(id(item))
                    found[f"{module.__name__}.{attribute}"] = item
    return found


STATEMENTS = module_statements()


def test_the_search_finds_the_statements() -> None:
    assert set(STATEMENTS) >= KNOWN, sorted(STATEMENTS)


def named(statement: ClauseElement) -> set[tuple[str, str]]:
    """(table, column) for every column the statement names; (table, "") for each table."""
    names: set[tuple[str, str]] = set()
    for element in visitors.iterate(statement):
        if isinstance(element, Alias) and isinstance(element.element, TableClause):
            element = element.element
        if isinstance(element, TableClause):
            names.add((element.name, ""))
            # A table written inline (sqlalchemy.table) declares columns of its own.
            names.update((element.name, column.name) for column in element.c)
        elif isinstance(element, ColumnClause) and not element.is_literal:
            table = element.table
            if isinstance(table, Alias) and isinstance(table.element, TableClause):
                table = table.element
            if table is None:
                names.add(("(no table)", element.name))
            elif isinstance(table, TableClause):
                names.add((table.name, element.name))
            # else: a column of a subquery, whose own statement is walked too
    return names


def unknown(names: set[tuple[str, str]]) -> list[tuple[str, str]]:
    tables = Base.metadata.tables
    return sorted(
        (table, column)
        for table, column in names
        if table not in tables or (column and column not in tables[table].c)
    )


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_a_statement_names_only_tables_and_columns_of_the_models(name: str) -> None:
    statement = STATEMENTS[name]

    for dialect in DIALECTS.values():
        assert statement.sql_for(dialect).strip()
    assert unknown(named(statement.statement)) == []


Prepare = Callable[[DriverStatement], None]


@pytest.fixture(scope="module", params=BACKENDS)
def prepare_on_models(request: pytest.FixtureRequest) -> Iterator[Prepare]:
    """Has the database prepare a statement's compiled text on a schema made from the models
    alone (no migrations): the database's own reading of the names, which also sees what the
    walk above cannot (text fragments, values named by string)."""
    if request.param == "sqlite":
        yield from _sqlite_on_models()
    else:
        yield from _postgres_on_models(request.getfixturevalue("postgres_database"))


class _AnyValue(dict[str, Any]):
    def __missing__(self, _key: str) -> Any:
        return None


def _sqlite_on_models() -> Iterator[Prepare]:
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        Base.metadata.create_all(connection)
        raw: Any = connection.connection.dbapi_connection

        def prepare(statement: DriverStatement) -> None:
            raw.execute(f"EXPLAIN {statement.sql_for(connection.dialect)}", _AnyValue()).fetchall()

        yield prepare
    engine.dispose()


PYFORMAT_PARAMETER = re.compile(r"%\((\w+)\)s")


def _postgres_on_models(url: str) -> Iterator[Prepare]:
    """The models' tables in a schema of their own, in a transaction never committed."""
    engine = create_engine(url)
    with engine.connect() as connection, connection.begin() as transaction:
        connection.execute(text("CREATE SCHEMA models"))
        Base.metadata.create_all(
            connection.execution_options(schema_translate_map={None: "models"})
        )
        connection.execute(text("SET LOCAL search_path TO models"))
        raw: Any = connection.connection.dbapi_connection

        def prepare(statement: DriverStatement) -> None:
            numbers: dict[str, int] = {}  # PREPARE takes $1, $2...: one per name
            sql = PYFORMAT_PARAMETER.sub(
                lambda found: f"${numbers.setdefault(found.group(1), len(numbers) + 1)}",
                statement.sql_for(connection.dialect),
            ).replace("%%", "%")
            with raw.cursor() as cursor:
                cursor.execute("SAVEPOINT prepared")
                try:
                    cursor.execute(f"PREPARE checked AS {sql}")
                    cursor.execute("DEALLOCATE checked")  # not undone by the rollback
                finally:
                    cursor.execute("ROLLBACK TO SAVEPOINT prepared")

        yield prepare
        transaction.rollback()
    engine.dispose()


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_the_database_prepares_each_statement_on_the_models_schema(
    name: str, prepare_on_models: Prepare
) -> None:
    prepare_on_models(STATEMENTS[name])
