"""Reads are loaded in batches, one statement per kind: a page costs the same number of
statements whatever its size. Counted on the driver (SQLAlchemy's statements and the
project's own on the raw cursor), authentication included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from dataflare.core.config import Settings
from dataflare.db.database import Database
from tests.conftest import ADMIN_TOKEN, GraphQL
from tests.graphql.budgets import HOT, INCIDENTS_PAGE, SEARCH_PAGE, catalog, hot_asset
from tests.statements import statements

SEARCH_BUDGET = 10
INCIDENTS_BUDGET = 8


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """No notification worker in the server: its statements are not the request's."""
    return Settings(
        home=tmp_path, database_url=database_url, admin_token=ADMIN_TOKEN, notify_in_server=False
    )


def search_page(gql: GraphQL, db: Database, count: int) -> tuple[dict[str, Any], list[str]]:
    variables = {"input": {"query": "table", "types": ["DATASET"], "count": count}}
    with statements(db.engine) as seen:
        page = gql.data(SEARCH_PAGE, variables)["searchAcrossEntities"]
    return page, seen


@pytest.mark.parametrize("results", [1, 25])
def test_a_search_page_costs_the_same_whatever_its_size(
    client: TestClient, gql: GraphQL, db: Database, results: int
) -> None:
    catalog(client, gql, 25)

    one, for_one = search_page(gql, db, 1)
    many, for_many = search_page(gql, db, results)

    print(f"search page: {len(for_one)} statements for 1, {len(for_many)} for {results}")
    assert len(many["searchResults"]) == results
    assert many["searchResults"][0] == one["searchResults"][0]
    assert len(for_many) == len(for_one) <= SEARCH_BUDGET, "\n".join(for_many)


def test_an_incidents_page_of_20_fits_its_budget(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    catalog(client, gql, 3)
    hot_asset(client, gql, 20)

    with statements(db.engine) as seen:
        page = gql.data(INCIDENTS_PAGE, {"urn": HOT})["dataset"]["incidents"]

    print(f"incidents page: {len(seen)} statements")
    assert len(page["incidents"]) == 20
    assert all(len(i["activity"]) == 3 and len(i["entities"]) == 2 for i in page["incidents"])
    assert len(seen) <= INCIDENTS_BUDGET, "\n".join(seen)
