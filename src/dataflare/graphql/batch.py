"""A batch of values of one kind, read for every key expected at the first ask."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Generic, TypeVar

from dataflare.db.chunks import chunks

K = TypeVar("K")
V = TypeVar("V")


class Batch(Generic[K, V]):
    """Values of one kind by key. Keys are expected (`expect`) before they are asked for
    (`get`); the first `get` of a key not read yet reads every key expected so far."""

    def __init__(
        self,
        fetch: Callable[[Sequence[K]], Mapping[K, V]],
        missing: Callable[[], V],
        chunk: int | None = None,
    ) -> None:
        self._fetch = fetch
        self._missing = missing
        self._chunk = chunk
        self._pending: dict[K, None] = {}  # in the order expected
        self._loaded: dict[K, V] = {}

    def expect(self, keys: Iterable[K]) -> None:
        for key in keys:
            if key not in self._loaded:
                self._pending[key] = None

    def get(self, key: K) -> V:
        if key not in self._loaded:
            self._pending[key] = None
            keys, self._pending = list(self._pending), {}
            parts = chunks(keys, self._chunk) if self._chunk else chunks(keys)
            for part in parts:
                found = self._fetch(part)
                for each in part:
                    self._loaded[each] = found[each] if each in found else self._missing()
        return self._loaded[key]
