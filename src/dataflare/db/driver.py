"""Statements for the hottest paths, run on the DB-API cursor of the session's connection.

SQLAlchemy spends several times longer preparing and reading back a statement than SQLite
spends running it (about 25 us of Python for a single-row insert). Raising an incident runs
five such statements, so those are written once as SQLAlchemy Core, compiled once per dialect
with named parameters, and then handed straight to the driver, inside the transaction that
SQLAlchemy opened. Only plain values go through this path: no type conversions happen here.
Listeners of SQLAlchemy's `before_cursor_execute` event (statement counts, tracing) hear of these
statements too: without listeners, that costs one attribute check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import psycopg
from sqlalchemy import Connection, Table, bindparam, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import SelectBase
from sqlalchemy.sql.schema import ScalarElementColumnDefault

# The driver's named style: sqlite3 takes :name, psycopg takes %(name)s.
_NAMED_STYLE = {"sqlite": "named", "postgresql": "pyformat"}


class DriverStatement:
    """A Core statement compiled once per dialect; run it with `rows`, `scalar` or `run`."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._sql: dict[str, str] = {}
        # Values the statement holds itself (the 1 of `count + 1`), sent along with the caller's.
        self._own_values: dict[str, Any] = {}

    def sql_for(self, dialect: Dialect) -> str:
        sql = self._sql.get(dialect.name)
        if sql is None:
            named = cast(Any, type(dialect))(paramstyle=_NAMED_STYLE[dialect.name])
            compiled = cast(SQLCompiler, self.statement.compile(dialect=named))
            self._own_values = {
                name: value
                for name, value in compiled.params.items()
                if not compiled.binds[name].required
            }
            sql = self._sql[dialect.name] = str(compiled)
        return sql

    def _with_own(self, params: Mapping[str, Any]) -> Mapping[str, Any]:
        return {**self._own_values, **params} if self._own_values else params

    def run(self, connection: Connection, params: Mapping[str, Any]) -> int:
        """Run it; how many rows it changed."""
        cursor = connection.connection.cursor()
        try:
            sql, values = self.sql_for(connection.dialect), self._with_own(params)
            _announce(connection, cursor, sql, values, many=False)
            cursor.execute(sql, values)
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def run_many(self, connection: Connection, params: Sequence[Mapping[str, Any]]) -> None:
        if len(params) == 1:
            # psycopg runs executemany in pipeline mode, which costs more than one statement.
            self.run(connection, params[0])
            return
        cursor = connection.connection.cursor()
        try:
            sql, values = self.sql_for(connection.dialect), [self._with_own(p) for p in params]
            _announce(connection, cursor, sql, values, many=True)
            cursor.executemany(sql, values)
        finally:
            cursor.close()

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        cursor = connection.connection.cursor()
        try:
            sql, values = self.sql_for(connection.dialect), self._with_own(params)
            _announce(connection, cursor, sql, values, many=False)
            cursor.execute(sql, values)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def scalar(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None when there is no row."""
        found = self.rows(connection, params)
        return found[0][0] if found else None


# A statement and the values to run it with.
Write = tuple[DriverStatement, Mapping[str, Any]]


def run_with_commit(connection: Connection, writes: Sequence[Write]) -> None:
    """Run these statements with their values, then COMMIT, all sent as one query: one round
    trip. PostgreSQL only: its simple query protocol takes several statements when the values
    are bound in the text, which psycopg does, quoting them, in `mogrify`. The connection is
    left with no transaction open, so committing it again sends nothing."""
    dbapi_connection = cast(psycopg.Connection[Any], connection.connection.dbapi_connection)
    cursor = psycopg.ClientCursor(dbapi_connection)
    try:
        bound = [
            cursor.mogrify(statement.sql_for(connection.dialect), statement._with_own(params))
            for statement, params in writes
        ]
        sql = "; ".join([*bound, "COMMIT"])
        _announce(connection, cursor, sql, {}, many=False)
        cursor.execute(sql)
    finally:
        cursor.close()


def _announce(connection: Connection, cursor: Any, sql: str, values: Any, many: bool) -> None:
    """Tell `before_cursor_execute` listeners of a statement about to go to the driver, as
    SQLAlchemy does for its own (there is no execution context: None in its place)."""
    if connection._has_events or connection.engine._has_events:
        for listener in connection.dispatch.before_cursor_execute:
            listener(connection, cursor, sql, values, None, many)


def driver_insert(
    table: Table, columns: Sequence[str], returning: str | None = None
) -> DriverStatement:
    """INSERT of these columns (parameters named after them), returning one column if asked.
    Other columns get their plain default values, which SQLAlchemy would otherwise add itself."""
    values: dict[str, Any] = {name: bindparam(name) for name in columns}
    for column in table.c:
        default = column.default
        if column.name not in values and isinstance(default, ScalarElementColumnDefault):
            values[column.name] = default.arg
    statement = insert(table).values(values)
    if returning is not None:
        return DriverStatement(statement.returning(table.c[returning]))
    return DriverStatement(statement)


def fetch_all(connection: Connection, statement: SelectBase) -> list[tuple[Any, ...]]:
    """Every row of a read, as the driver's plain tuples: SQLAlchemy's rows cost about 2 us
    each, and a figure over a year of incidents reads hundreds of thousands. Compiled on each
    call, its `IN` lists expanded to one parameter a value."""
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    values: Any = compiled.params  # psycopg takes them by name
    if compiled.positiontup is not None:  # sqlite3 by position
        values = [compiled.params[name] for name in compiled.positiontup]
    sql = str(compiled)
    cursor = connection.connection.cursor()
    try:
        _announce(connection, cursor, sql, values, many=False)
        return list(cursor.execute(sql, values).fetchall())
    finally:
        cursor.close()
