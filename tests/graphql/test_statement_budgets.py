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
from tests.graphql.budgets import (
    FILTERED_SEARCH,
    HOT,
    INCIDENTS_PAGE,
    LINEAGE_PAGE,
    ONE_ASSET,
    ONE_FILTERED,
    ONE_INCIDENT,
    SDK_LIST,
    SDK_SEARCH_BROKEN,
    SEARCH_PAGE,
    SEED_DATASET,
    catalog,
    hot_asset,
)
from tests.ingest.mcps import dataset, ingest, upstreams
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


def test_a_search_page_says_of_each_asset_what_it_says_alone(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    urns = catalog(client, gql, 25)

    page, _ = search_page(gql, db, 25)

    shown = {r["entity"]["urn"]: r["entity"] for r in page["searchResults"]}
    assert sorted(shown) == sorted(urns)
    for urn in urns:
        assert shown[urn] == {**gql.data(ONE_ASSET, {"urn": urn})["dataset"], "urn": urn}


def test_an_incidents_page_says_of_each_incident_what_it_says_alone(
    client: TestClient, gql: GraphQL
) -> None:
    catalog(client, gql, 3)
    hot_asset(client, gql, 5)

    page = gql.data(INCIDENTS_PAGE, {"urn": HOT})["dataset"]["incidents"]["incidents"]

    for incident in page:
        alone = gql.data(ONE_INCIDENT, {"urn": incident["urn"]})["entity"]
        assert alone == incident


@pytest.mark.parametrize(
    ("document", "budget"), [(SDK_LIST, 3), (SEED_DATASET, 2), (SDK_SEARCH_BROKEN, 3)]
)
def test_the_sdk_and_guide_requests_fit_their_budgets(
    client: TestClient, gql: GraphQL, db: Database, document: str, budget: int
) -> None:
    urns = catalog(client, gql, 25)

    with statements(db.engine) as seen:
        gql.data(document, {"urn": urns[0]} if "$urn" in document else {})

    print(f"{document.split()[1]}: {len(seen)} statements")
    assert len(seen) <= budget, "\n".join(seen)


def test_filtered_incidents_of_a_search_page_cost_the_same_whatever_its_size(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    catalog(client, gql, 25)
    counts = []
    for size in (1, 25):
        variables = {"input": {"query": "table", "types": ["DATASET"], "count": size}}
        with statements(db.engine) as seen:
            page = gql.data(FILTERED_SEARCH, variables)["searchAcrossEntities"]
        counts.append(len(seen))
        for result in page["searchResults"]:  # as each says alone
            assert (
                result["entity"]
                == gql.data(ONE_FILTERED, {"urn": result["entity"]["urn"]})["dataset"]
            )

    print(f"filtered search page: {counts} statements for 1 and 25")
    assert counts[0] == counts[1] <= SEARCH_BUDGET, "\n".join(seen)
    assert page["searchResults"][0]["entity"]["high"]["total"] > 0


@pytest.mark.parametrize("sources", [1, 25])
def test_an_assets_lineage_costs_the_same_whatever_its_size(
    client: TestClient, gql: GraphQL, db: Database, sources: int
) -> None:
    urns = catalog(client, gql, 25)
    report = dataset("snowflake", "report")
    ingest(client, upstreams(report, *urns[:sources]))

    with statements(db.engine) as seen:
        lineage = gql.data(LINEAGE_PAGE, {"urn": report})["dataset"]["lineage"]

    print(f"lineage of {sources}: {len(seen)} statements")
    assert lineage["total"] == sources
    assert all(r["entity"]["health"][0]["status"] == "FAIL" for r in lineage["relationships"])
    assert len(seen) <= 6, "\n".join(seen)
