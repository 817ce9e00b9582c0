"""Keys in parts small enough for one statement's `IN (...)`: SQLite and PostgreSQL both cap
the parameters a statement may take."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

K = TypeVar("K")
CHUNK = 500  # keys per statement


def chunks(keys: Sequence[K], size: int = CHUNK) -> Iterator[Sequence[K]]:
    for first in range(0, len(keys), size):
        yield keys[first : first + size]


def plan_each_list(session: Session) -> None:
    """For the rest of the transaction, PostgreSQL plans each statement for the values it is
    given. psycopg prepares a statement run five times, and PostgreSQL may then keep a generic
    plan for it; for `urn IN (<500 parameters>)` that plan reads the whole table, comparing
    each row with every value: ingesting 30,000 datasets slowed from 1,700 to 200 proposals/s
    as the table grew (1,400 flat with this). Nothing to do on SQLite, which plans anew."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
