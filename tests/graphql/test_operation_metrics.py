"""Operation names as metric labels: what the client named, but never unbounded."""

from __future__ import annotations

from graphql import parse

from dataflare.graphql import metrics
from dataflare.graphql.metrics import MAX_NAME, MAX_NAMES, operation_label


def label(query: str, name: str | None = None) -> str:
    return operation_label(parse(query), {"query": query, "operationName": name})


def test_names_anonymous_and_unknown() -> None:
    assert label("query health { me { corpUser { urn } } }") == "health"
    assert label("{ me { corpUser { urn } } }") == "anonymous"
    assert label("query a { x } query b { y }", "b") == "b"
    assert label("query a { x } query b { y }", "c") == "unknown"  # no such operation
    assert label("query a { x } query b { y }") == "unknown"  # which one is not said
    assert operation_label(None, None) == "unknown"  # refused before the document was read


def test_long_names_are_cut_and_new_names_past_the_cap_are_other() -> None:
    assert label(f"query {'n' * 500} {{ x }}") == "n" * MAX_NAME
    seen = set(metrics._names)
    try:
        labels = {label(f"query op{i} {{ x }}") for i in range(MAX_NAMES + 50)}
    finally:
        metrics._names.clear()
        metrics._names.update(seen)

    assert "other" in labels and len(labels) <= MAX_NAMES + 1
    assert label("query health { x }") == "health"
