"""Free-text search in the database's own index: best matches first, the index kept in step
with names and descriptions, and the query's characters taken as plain text."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.catalog.test_search import search, urns
from tests.conftest import GraphQL
from tests.ingest.mcps import AUTH, DELETE, dataset, ingest, mcp, properties

EXACT = dataset("hive", "db.x1")
PREFIX = dataset("hive", "db.x2")
INSIDE = dataset("hive", "db.x3")
DESCRIBED = dataset("hive", "db.x4")


def test_exact_names_come_first_then_prefixes_then_the_rest_by_name(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(
        client,
        properties(INSIDE, "all_orders", "Every order."),
        properties(DESCRIBED, "aaa_sales", "Sales, from the orders table."),
        properties(PREFIX, "Orders_daily", "Orders per day."),
        properties(EXACT, "ORDERS", "One row per order."),
    )

    assert urns(search(gql, "orders")) == [EXACT, PREFIX, DESCRIBED, INSIDE]
    assert urns(search(gql, "orders", start=1, count=2)) == [PREFIX, DESCRIBED]


def test_a_renamed_or_redescribed_asset_is_found_by_its_new_text_only(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, properties(EXACT, "invoices", "Billed amounts."))

    ingest(client, properties(EXACT, "receipts", "Paid amounts."))

    assert urns(search(gql, "invoices")) == []
    assert urns(search(gql, "billed")) == []
    assert urns(search(gql, "receipts")) == [EXACT]
    assert urns(search(gql, "paid amounts")) == [EXACT]


def test_a_deleted_asset_is_no_longer_found_by_its_description(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, properties(EXACT, "invoices", "Billed amounts."))

    response = client.post(DELETE, json={"urn": EXACT}, headers=AUTH)
    assert response.status_code == 200, response.text
    ingest(client, mcp(EXACT, "status", {"removed": False}))  # back, without its metadata

    assert urns(search(gql, "invoices")) == [EXACT]  # its name stays
    assert urns(search(gql, "billed")) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"orders', []),  # a quote is a character like any other
        ("orders OR customers", []),  # OR is a word to find, not an operator
        ("NEAR(orders)", []),
        ("ord*", []),  # no prefix operator: * inside a word is a character
        ("x1,", [EXACT]),  # punctuation of the URN
        ("DB.X", [EXACT, PREFIX]),
    ],
)
def test_the_query_is_plain_text_in_the_index_too(
    client: TestClient, gql: GraphQL, query: str, expected: list[str]
) -> None:
    ingest(client, properties(EXACT, "orders"), properties(PREFIX, "orders_daily"))

    assert urns(search(gql, query)) == expected
