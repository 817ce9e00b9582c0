"""Which lane a request body takes (graphql.lanes): known, light documents the quick one;
searches, lineage (however nested, fragments included), documents not compiled yet, bodies
too big or not JSON, the heavy one."""

from __future__ import annotations

import json

import anyio
import pytest

from dataflare.graphql.documents import Documents
from dataflare.graphql.lanes import LOOK_BYTES, ReadLanes
from dataflare.graphql.schema import build_schema

HEALTH = 'query { dataset(urn: "urn:li:dataset:(urn:li:dataPlatform:hive,a,PROD)") { urn } }'
SEARCH = 'query { searchAcrossEntities(input: {query: "*"}) { total } }'
NESTED_LINEAGE = """query { dataset(urn: "urn:li:dataset:(urn:li:dataPlatform:hive,a,PROD)") {
  ...walk } }
fragment walk on Dataset { lineage(input: {direction: UPSTREAM}) { total } }"""


@pytest.fixture(scope="module")
def documents() -> Documents:
    known = Documents(build_schema())
    for query in (HEALTH, SEARCH, NESTED_LINEAGE):
        assert known.compile(query).document is not None
    return known


def test_compiled_documents_are_known_light_or_heavy(documents: Documents) -> None:
    assert documents.heavy(HEALTH) is False
    assert documents.heavy(SEARCH) is True
    assert documents.heavy(NESTED_LINEAGE) is True
    assert documents.heavy("query { me { corpUser { urn } } }") is None  # never compiled


def lane_of(documents: Documents, body: bytes) -> str:
    async def choose() -> str:
        lanes = ReadLanes(documents, 1)
        chosen = lanes.limiter_for(body)
        return (
            "quick"
            if chosen is lanes.limiter_for(json.dumps({"query": HEALTH}).encode())
            else "heavy"
        )

    return anyio.run(choose)


@pytest.mark.parametrize(
    ("body", "lane"),
    [
        (json.dumps({"query": HEALTH, "variables": {}}).encode(), "quick"),
        (json.dumps({"query": SEARCH}).encode(), "heavy"),
        (json.dumps({"query": NESTED_LINEAGE}).encode(), "heavy"),
        (json.dumps({"query": 'query { other: dataset(urn: "x") { urn } }'}).encode(), "heavy"),
        (json.dumps({"query": HEALTH, "pad": "x" * LOOK_BYTES}).encode(), "heavy"),
        (b"not json", "heavy"),
        (b'{"query": ' + b"[" * 4000 + b"]" * 4000 + b"}", "heavy"),  # past the parser's stack
        (b"\xff\xfe", "heavy"),
        (b"[1, 2]", "heavy"),
        (json.dumps({"query": 7}).encode(), "heavy"),
    ],
)
def test_the_lane_of_a_body(documents: Documents, body: bytes, lane: str) -> None:
    assert lane_of(documents, body) == lane
