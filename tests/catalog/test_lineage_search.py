"""searchAcrossLineage: "which of my upstreams has an active incident", through many hops."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.catalog.documents import LINEAGE_SEARCH
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE, UPDATE_STATUS
from tests.ingest.mcps import dataset, ingest, mcp, properties, upstreams

EVENTS = dataset("kafka", "orders_events")
CUSTOMERS = dataset("snowflake", "customers")
ORDERS = dataset("snowflake", "orders")
FLOW = "urn:li:dataFlow:(airflow,daily_sales,prod)"
JOB = f"urn:li:dataJob:({FLOW},extract)"
CHART = "urn:li:chart:(looker,look.1)"
DASHBOARD = "urn:li:dashboard:(looker,dashboards.1)"
ACTIVE = [{"and": [{"field": "hasActiveIncidents", "values": ["true"]}]}]


@pytest.fixture
def pipeline(client: TestClient, gql: GraphQL) -> None:
    """events -> job -> orders (<- customers) -> chart -> dashboard; events and customers are
    broken, orders was and is fixed."""
    ingest(
        client,
        mcp(JOB, "dataJobInputOutput", {"inputDatasets": [EVENTS], "outputDatasets": [ORDERS]}),
        upstreams(ORDERS, CUSTOMERS),
        mcp(CHART, "chartInfo", {"title": "Revenue", "inputs": [{"string": ORDERS}]}),
        mcp(DASHBOARD, "dashboardInfo", {"title": "Sales", "charts": [CHART]}),
    )
    for urn in (EVENTS, CUSTOMERS, ORDERS):
        raised = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": urn}})["raiseIncident"]
    gql.data(UPDATE_STATUS, {"urn": raised, "input": {"state": "RESOLVED"}})


def lineage_search(gql: GraphQL, urn: str, direction: str, **given: Any) -> dict[str, Any]:
    page: dict[str, Any] = gql.data(
        LINEAGE_SEARCH, {"input": {"urn": urn, "direction": direction, **given}}
    )["searchAcrossLineage"]
    return page


def found(page: dict[str, Any]) -> list[tuple[str, int]]:
    return [(r["entity"]["urn"], r["degree"]) for r in page["searchResults"]]


@pytest.mark.usefixtures("pipeline")
def test_the_broken_upstreams_of_a_dashboard_in_one_query_through_every_hop(gql: GraphQL) -> None:
    page = lineage_search(gql, DASHBOARD, "UPSTREAM", orFilters=ACTIVE)

    assert found(page) == [(CUSTOMERS, 3), (EVENTS, 4)]
    assert page["total"] == 2


@pytest.mark.usefixtures("pipeline")
def test_every_upstream_with_its_degree(gql: GraphQL) -> None:
    page = lineage_search(gql, DASHBOARD, "UPSTREAM")

    assert sorted(found(page)) == sorted(
        [(CHART, 1), (ORDERS, 2), (JOB, 3), (CUSTOMERS, 3), (EVENTS, 4)]
    )
    facets = {f["field"]: f["aggregations"] for f in page["facets"]}
    assert facets["hasActiveIncidents"] == [
        {"value": "false", "count": 3},
        {"value": "true", "count": 2},
    ]


@pytest.mark.usefixtures("pipeline")
def test_downstream_walks_the_other_way(gql: GraphQL) -> None:
    page = lineage_search(gql, EVENTS, "DOWNSTREAM")

    assert sorted(found(page), key=lambda f: f[1]) == [
        (JOB, 1),
        (ORDERS, 2),
        (CHART, 3),
        (DASHBOARD, 4),
    ]


@pytest.mark.usefixtures("pipeline")
@pytest.mark.parametrize(
    ("degrees", "expected"),
    [(["1", "2"], {CHART, ORDERS}), (["3+"], {JOB, CUSTOMERS, EVENTS}), (["2"], {ORDERS})],
)
def test_the_degree_filter_keeps_the_assets_that_many_hops_away(
    gql: GraphQL, degrees: list[str], expected: set[str]
) -> None:
    page = lineage_search(
        gql, DASHBOARD, "UPSTREAM", orFilters=[{"and": [{"field": "degree", "values": degrees}]}]
    )

    assert {urn for urn, _ in found(page)} == expected


@pytest.mark.usefixtures("pipeline")
def test_degree_and_incidents_filter_together(gql: GraphQL) -> None:
    page = lineage_search(
        gql,
        DASHBOARD,
        "UPSTREAM",
        orFilters=[
            {
                "and": [
                    {"field": "degree", "values": ["3+"]},
                    {"field": "hasActiveIncidents", "values": ["true"]},
                    {"field": "platform", "values": ["kafka"]},
                ]
            }
        ],
    )

    assert found(page) == [(EVENTS, 4)]


@pytest.mark.usefixtures("pipeline")
def test_free_text_and_paging_within_the_lineage(gql: GraphQL) -> None:
    first = lineage_search(gql, DASHBOARD, "UPSTREAM", query="snowflake", count=1)
    second = lineage_search(gql, DASHBOARD, "UPSTREAM", query="snowflake", start=1, count=1)

    assert (first["total"], second["total"]) == (2, 2)
    assert found(first) + found(second) == [(CUSTOMERS, 3), (ORDERS, 2)]


@pytest.mark.usefixtures("pipeline")
def test_a_removed_upstream_is_left_out_but_the_walk_goes_through_it(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, mcp(ORDERS, "status", {"removed": True}))

    page = lineage_search(gql, DASHBOARD, "UPSTREAM")

    assert ORDERS not in [urn for urn, _ in found(page)]
    assert (EVENTS, 4) in found(page)


def test_a_cycle_ends_the_walk(client: TestClient, gql: GraphQL) -> None:
    ingest(client, upstreams(ORDERS, CUSTOMERS), upstreams(CUSTOMERS, ORDERS))

    page = lineage_search(gql, ORDERS, "UPSTREAM")

    assert found(page) == [(CUSTOMERS, 1)]


def test_an_unknown_asset_has_no_lineage(client: TestClient, gql: GraphQL) -> None:
    ingest(client, properties(ORDERS, "orders"))

    page = lineage_search(gql, EVENTS, "UPSTREAM")

    assert (page["total"], page["searchResults"]) == (0, [])


def test_a_bad_degree_is_a_400(gql: GraphQL) -> None:
    error = gql.error(
        LINEAGE_SEARCH,
        {
            "input": {
                "urn": ORDERS,
                "direction": "UPSTREAM",
                "orFilters": [{"and": [{"field": "degree", "values": ["4"]}]}],
            }
        },
    )

    assert "degree takes the values" in error["message"]
    assert error["extensions"]["code"] == 400
