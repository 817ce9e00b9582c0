"""A dataset's assertions, with their runs, and incidents with their assertion sources are read
in a fixed number of statements, however many there are."""

from __future__ import annotations

from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.assertions.documents import DATASET_ASSERTIONS, ORDERS, dataset_info, run
from tests.conftest import GraphQL
from tests.ingest.mcps import ingest
from tests.statements import statements

SOURCES = """
query sources($urn: String!) {
  dataset(urn: $urn) {
    health { type status }
    incidents(start: 0, count: 50) {
      incidents { source { type source { urn ... on Assertion { info { type } } } } }
    }
  }
}
"""


def _checks(client: TestClient, first: int, how_many: int) -> None:
    proposals = []
    for i in range(first, first + how_many):
        urn = f"urn:li:assertion:a{i}"
        proposals += [dataset_info(urn), run(1_700_000_000_000, "FAILURE", urn=urn)]
    ingest(client, *proposals)


def _count(gql: GraphQL, db: Database, query: str) -> int:
    with statements(db.engine) as seen:
        gql.data(query, {"urn": ORDERS, "count": 50})
    return len(seen)


def test_many_assertions_cost_what_one_does(client: TestClient, gql: GraphQL, db: Database) -> None:
    _checks(client, 0, 1)
    for_one = _count(gql, db, DATASET_ASSERTIONS), _count(gql, db, SOURCES)

    _checks(client, 1, 19)
    for_twenty = _count(gql, db, DATASET_ASSERTIONS), _count(gql, db, SOURCES)

    assert for_twenty == for_one
