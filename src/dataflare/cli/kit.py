"""What every command shares: errors shown as one line, and a migrated database."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import Any

import click
from sqlalchemy.orm import Session

from dataflare.core.config import Settings
from dataflare.core.errors import DataflareError


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Show our errors as `Error: ...` with exit status 1, never as a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DataflareError as error:
            raise click.ClickException(error.message) from error

    return wrapper


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 proposal`, `2 proposals`; `nouns` when adding an s will not do (`deliveries`)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns aligned for reading in a terminal."""
    lines = [list(headers), *(list(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


@contextmanager
def write_session() -> Iterator[Session]:
    """One transaction on the configured database, migrated first."""
    from dataflare.cli.migration import upgrade
    from dataflare.db.database import Database

    settings = Settings.from_env()
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        with database.session(write=True) as session:
            yield session
    finally:
        database.dispose()
