"""Keys in parts small enough for one statement's `IN (...)`: SQLite and PostgreSQL both cap
the parameters a statement may take."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

K = TypeVar("K")
CHUNK = 500  # keys per statement


def chunks(keys: Sequence[K], size: int = CHUNK) -> Iterator[Sequence[K]]:
    for first in range(0, len(keys), size):
        yield keys[first : first + size]
