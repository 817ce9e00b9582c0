"""GraphQL operations counted by name and outcome. Names are the client's, so they are kept
few: an operation without a name is "anonymous", a request whose document was never read
(refused credentials, a bad body, a syntax error) "unknown", a name over MAX_NAME characters
is cut there, and past MAX_NAMES names a process counts the new ones as "other"."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import DocumentNode, get_operation_ast
from prometheus_client import Counter

OPERATIONS = Counter(
    "dataflare_graphql_operations",
    "GraphQL requests by operation name and outcome (ok, or error: any error in the answer).",
    ["operation", "outcome"],
)
UNKNOWN = "unknown"
ANONYMOUS = "anonymous"
OTHER = "other"
MAX_NAME = 64
MAX_NAMES = 200

_names: set[str] = set()
_names_lock = threading.Lock()


@dataclass
class Observed:
    """What a request's threads learn about it for the metrics."""

    operation: str = UNKNOWN


def operation_label(document: DocumentNode | None, payload: dict[str, Any] | None) -> str:
    if document is None or payload is None:
        return UNKNOWN
    operation = get_operation_ast(document, payload.get("operationName"))
    if operation is None:
        return UNKNOWN
    if operation.name is None:
        return ANONYMOUS
    return _bounded(operation.name.value[:MAX_NAME])


def _bounded(name: str) -> str:
    if name in _names:
        return name
    with _names_lock:
        if len(_names) < MAX_NAMES:
            _names.add(name)
            return name
    return OTHER


def record(operation: str, status: int, body: dict[str, Any]) -> None:
    ok = status == 200 and not body.get("errors")
    _series(operation, "ok" if ok else "error").inc()


@cache  # bounded: at most MAX_NAMES + 3 operations, two outcomes
def _series(operation: str, outcome: str) -> Counter:
    return OPERATIONS.labels(operation, outcome)
