"""API reads on SQLite in two lanes, so that a search or a lineage walk never holds up the short
reads: an asset's health, an incident page, the token check every request starts with.

SQLite reads go fastest one thread at a time (db.database: SQLITE_READ_THREADS), so each lane is
one such thread. The quick lane takes documents already compiled that ask for no search and no
lineage; the heavy lane takes the rest: searches and lineage, documents not compiled before
(compiling is work too), and bodies too large to look into on the event loop. Choosing costs a
JSON decode of a small body and a dictionary look-up."""

from __future__ import annotations

from anyio import CapacityLimiter

from dataflare.core.errors import InvalidInput
from dataflare.core.text import load_json
from dataflare.graphql.documents import Documents

# Bodies up to this size are looked into on the event loop (a few microseconds).
LOOK_BYTES = 8 * 1024


class ReadLanes:
    """The quick and the heavy lane, each a limit of `threads` concurrent reads."""

    def __init__(self, documents: Documents, threads: int) -> None:
        self.documents = documents
        self.threads = threads
        self._quick: CapacityLimiter | None = None
        self._heavy: CapacityLimiter | None = None

    def limiter_for(self, raw: bytes) -> CapacityLimiter:
        """The lane for this request body. Call from the event loop (anyio makes limiters
        there)."""
        if self._quick is None or self._heavy is None:
            self._quick = CapacityLimiter(self.threads)
            self._heavy = CapacityLimiter(self.threads)
        query = _query_of(raw)
        heavy = None if query is None else self.documents.heavy(query)
        return self._quick if heavy is False else self._heavy


def _query_of(raw: bytes) -> str | None:
    if len(raw) > LOOK_BYTES:
        return None
    try:
        payload = load_json(raw, "The request body")
    except InvalidInput:  # the worker thread answers what is wrong with it
        return None
    query = payload.get("query") if isinstance(payload, dict) else None
    return query if isinstance(query, str) else None
