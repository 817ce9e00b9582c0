"""Compiling GraphQL documents: parsed with a token limit, validated, checked against the shape
limits and for stored-text rules in their string literals. Documents that pass are kept in a
cache bounded in bytes (the same few documents repeat, and validation costs about a
millisecond); a document that fails is never kept, so junk cannot fill the cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    StringValueNode,
    Visitor,
    parse,
    validate,
    visit,
)

from dataflare.core.errors import InvalidInput
from dataflare.core.limits import (
    DOCUMENT_CACHE_BYTES,
    MAX_CACHED_DOCUMENT_BYTES,
    MAX_DOCUMENT_TOKENS,
)
from dataflare.core.text import check_chars
from dataflare.graphql.limits import asks_for_heavy_work, check_shape
from dataflare.graphql.validation import RULES


@dataclass(frozen=True)
class Compiled:
    """A document, or why it cannot run: GraphQL errors (syntax, validation) or a limit."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    refused: InvalidInput | None = None


class Documents:
    """Compiles documents against one schema, remembering those that compile cleanly."""

    def __init__(self, schema: GraphQLSchema, cache_bytes: int = DOCUMENT_CACHE_BYTES) -> None:
        self.schema = schema
        self.cache_bytes = cache_bytes
        # Each clean document, and whether it asks for heavy work (graphql.lanes).
        self._cache: OrderedDict[str, tuple[DocumentNode, bool]] = OrderedDict()
        self._size = 0
        self.hits = 0  # documents answered from the cache
        self._lock = threading.Lock()  # compiled from several threads

    def compile(self, query: str) -> Compiled:
        with self._lock:
            cached = self._cache.get(query)
            if cached is not None:
                self._cache.move_to_end(query)
                self.hits += 1
                return Compiled(cached[0])
        compiled = self._compile(query)
        if compiled.document is not None and not compiled.errors and compiled.refused is None:
            self._keep(query, compiled.document)
        return compiled

    def heavy(self, query: str) -> bool | None:
        """Whether the compiled document of this text asks for heavy work (graphql.lanes);
        None when it has not been compiled cleanly (or has left the cache)."""
        with self._lock:
            cached = self._cache.get(query)
        return None if cached is None else cached[1]

    @property
    def cached_bytes(self) -> int:
        return self._size

    def _compile(self, query: str) -> Compiled:
        try:
            document = parse(query, max_tokens=MAX_DOCUMENT_TOKENS)
        except GraphQLError as error:
            if "tokens. Parsing aborted" in error.message:
                limit = f"the limit is {MAX_DOCUMENT_TOKENS} tokens"
                return Compiled(None, refused=InvalidInput(f"The document is too long: {limit}."))
            return Compiled(None, (error,))
        try:
            check_shape(document)
            _check_strings(document)
        except InvalidInput as refused:
            return Compiled(None, refused=refused)
        return Compiled(document, tuple(validate(self.schema, document, RULES)))

    def _keep(self, query: str, document: DocumentNode) -> None:
        size = len(query.encode())
        if size > MAX_CACHED_DOCUMENT_BYTES:
            return
        heavy = asks_for_heavy_work(document)
        with self._lock:
            if query in self._cache:
                return
            self._cache[query] = (document, heavy)
            self._size += size
            while self._size > self.cache_bytes and self._cache:
                old, _ = self._cache.popitem(last=False)
                self._size -= len(old.encode())


class _StringLiterals(Visitor):
    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        check_chars(node.value, "A string in the query")


def _check_strings(document: DocumentNode) -> None:
    visit(document, _StringLiterals())
