"""An asset's immediate lineage, as the aspects state it, with the related assets' health."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.catalog.documents import LINEAGE
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import dataset, ingest, mcp, upstreams

EVENTS = dataset("kafka", "orders_events")
ORDERS = dataset("snowflake", "orders")
CUSTOMERS = dataset("snowflake", "customers")
FLOW = "urn:li:dataFlow:(airflow,daily_sales,prod)"
JOB = f"urn:li:dataJob:({FLOW},extract_orders)"
CHART = "urn:li:chart:(looker,look.1)"
DASHBOARD = "urn:li:dashboard:(looker,dashboards.1)"

CATALOG = [
    mcp(JOB, "dataJobInputOutput", {"inputDatasets": [EVENTS], "outputDatasets": [ORDERS]}),
    upstreams(ORDERS, CUSTOMERS),
    mcp(CHART, "chartInfo", {"title": "Orders", "inputs": [{"string": ORDERS}]}),
    mcp(DASHBOARD, "dashboardInfo", {"title": "Sales", "charts": [CHART]}),
]


def _lineage(gql: GraphQL, urn: str, direction: str) -> dict[str, Any]:
    lineage: dict[str, Any] = gql.data(LINEAGE, {"urn": urn, "direction": direction})["entity"][
        "lineage"
    ]
    return lineage


def _related(gql: GraphQL, urn: str, direction: str) -> list[str]:
    return [r["entity"]["urn"] for r in _lineage(gql, urn, direction)["relationships"]]


def test_upstream_lineage_lists_the_assets_one_hop_up_with_their_health(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, *CATALOG)
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": CUSTOMERS}})

    lineage = _lineage(gql, ORDERS, "UPSTREAM")

    assert lineage["total"] == 2
    assert lineage["count"] == 2
    assert lineage["relationships"] == [
        {
            "type": "DownstreamOf",
            "degree": 1,
            "entity": {"urn": CUSTOMERS, "type": "DATASET", "health": [{"status": "FAIL"}]},
        },
        {"type": "DownstreamOf", "degree": 1, "entity": {"urn": JOB, "type": "DATA_JOB"}},
    ]


def test_each_aspect_links_its_own_kind_of_asset(client: TestClient, gql: GraphQL) -> None:
    ingest(client, *CATALOG)

    assert _related(gql, JOB, "UPSTREAM") == [EVENTS]
    assert _related(gql, JOB, "DOWNSTREAM") == [ORDERS]
    assert _related(gql, CHART, "UPSTREAM") == [ORDERS]
    assert _related(gql, DASHBOARD, "UPSTREAM") == [CHART]
    assert _related(gql, CHART, "DOWNSTREAM") == [DASHBOARD]
    assert _related(gql, EVENTS, "UPSTREAM") == []


def test_downstream_lineage_is_the_mirror_of_upstream(client: TestClient, gql: GraphQL) -> None:
    ingest(client, *CATALOG)

    lineage = _lineage(gql, ORDERS, "DOWNSTREAM")

    assert [(r["type"], r["entity"]["urn"]) for r in lineage["relationships"]] == [
        ("Consumes", CHART)
    ]


def test_a_newer_aspect_replaces_only_the_edges_that_aspect_stated(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, *CATALOG)

    ingest(client, upstreams(ORDERS, EVENTS))

    assert _related(gql, ORDERS, "UPSTREAM") == [JOB, EVENTS]
    assert _related(gql, CUSTOMERS, "DOWNSTREAM") == []


def test_job_edges_and_dashboard_datasets_in_their_edge_forms(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(
        client,
        mcp(
            JOB,
            "dataJobInputOutput",
            {
                "inputDatasetEdges": [{"destinationUrn": EVENTS}],
                "outputDatasetEdges": [{"destinationUrn": ORDERS}],
            },
        ),
        mcp(
            DASHBOARD,
            "dashboardInfo",
            {"title": "Sales", "datasetEdges": [{"destinationUrn": ORDERS}]},
        ),
    )

    assert _related(gql, JOB, "UPSTREAM") == [EVENTS]
    assert _related(gql, ORDERS, "UPSTREAM") == [JOB]
    assert _related(gql, DASHBOARD, "UPSTREAM") == [ORDERS]


def test_an_asset_never_seen_has_no_lineage(gql: GraphQL) -> None:
    lineage = _lineage(gql, ORDERS, "UPSTREAM")

    assert (lineage["total"], lineage["relationships"]) == (0, [])
