"""A throwaway PostgreSQL database for one benchmark run.

The tests use the `test` database on the same server, so the benchmark never touches it: it
creates its own database, points Dataflare at it and drops it at the end.
"""

from __future__ import annotations

import argparse
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def add_postgres_option(parser: argparse.ArgumentParser) -> None:
    """`--postgres [URL]`, the same on every benchmark."""
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_SERVER_URL,
        metavar="URL",
        help="use PostgreSQL instead of SQLite: a throwaway database is created on the server "
        f"this URL names, then dropped (default {DEFAULT_SERVER_URL})",
    )


class DatabaseSetupError(RuntimeError):
    pass


def libpq_url(url: str) -> str:
    """psycopg wants `postgresql://`, not SQLAlchemy's `postgresql+psycopg://`."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def temporary_database(server_url: str) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new, empty database on the server `server_url` names."""
    name = f"dataflare_bench_{secrets.token_hex(4)}"
    # CREATE/DROP DATABASE cannot run in a transaction, hence autocommit.
    try:
        with psycopg.connect(libpq_url(server_url), autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        raise DatabaseSetupError(f"cannot create a database on {server_url}: {error}") from error
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_url(server_url), autocommit=True) as admin:
            # FORCE: a server that did not stop in time must not leave the database behind.
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
