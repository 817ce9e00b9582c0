"""What each aspect the emitter sends does to the catalog, read back through GraphQL."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.catalog.documents import ASSET, DATASET_HEALTH, SEARCH
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import dataset, ingest, mcp, ownership, properties

ORDERS = dataset("snowflake", "analytics.public.orders")
EVENTS = dataset("kafka", "orders_events")
CHART = "urn:li:chart:(looker,look.1)"
DASHBOARD = "urn:li:dashboard:(looker,dashboards.1)"
FLOW = "urn:li:dataFlow:(airflow,daily_sales,prod)"
JOB = f"urn:li:dataJob:({FLOW},load)"
JDOE, TEAM = "urn:li:corpuser:jdoe", "urn:li:corpGroup:data-platform"


def _asset(gql: GraphQL, urn: str) -> dict[str, Any]:
    entity: dict[str, Any] = gql.data(ASSET, {"urn": urn})["entity"]
    return entity


def _found(gql: GraphQL, query: str) -> list[str]:
    page = gql.data(SEARCH, {"input": {"query": query, "count": 100}})["searchAcrossEntities"]
    return [r["entity"]["urn"] for r in page["searchResults"]]


def test_dataset_properties_name_and_describe_the_dataset(client: TestClient, gql: GraphQL) -> None:
    ingest(client, properties(ORDERS, "orders", "One row per order."))

    asset = _asset(gql, ORDERS)

    assert asset["exists"] is True
    assert asset["type"] == "DATASET"
    assert asset["properties"] == {"name": "orders", "description": "One row per order."}
    assert asset["status"] == {"removed": False}


def test_without_a_name_the_dataset_is_named_after_its_urn(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, mcp(ORDERS, "datasetProperties", {"description": "Orders."}))

    assert _asset(gql, ORDERS)["properties"] == {
        "name": "analytics.public.orders",
        "description": "Orders.",
    }


def test_each_asset_kind_takes_its_name_from_its_info_aspect(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(
        client,
        mcp(CHART, "chartInfo", {"title": "Revenue by day", "description": "d", "inputs": []}),
        mcp(DASHBOARD, "dashboardInfo", {"title": "Revenue", "charts": []}),
        mcp(FLOW, "dataFlowInfo", {"name": "daily_sales", "description": "Nightly."}),
        mcp(JOB, "dataJobInfo", {"name": "load_revenue", "type": "COMMAND"}),
    )

    names = {urn: _asset(gql, urn)["properties"] for urn in (CHART, DASHBOARD, FLOW, JOB)}

    assert names == {
        CHART: {"name": "Revenue by day", "description": "d"},
        DASHBOARD: {"name": "Revenue", "description": None},
        FLOW: {"name": "daily_sales", "description": "Nightly."},
        JOB: {"name": "load_revenue", "description": None},
    }


def test_ownership_lists_users_and_groups_with_what_their_aspects_say(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(
        client,
        mcp(
            JDOE,
            "corpUserInfo",
            {"displayName": "Jane Doe", "email": "jdoe@example.com", "title": "Engineer"},
        ),
        mcp(JDOE, "corpUserEditableInfo", {"slack": "U024BE7LH"}),
        mcp(TEAM, "corpGroupInfo", {"displayName": "Data Platform", "email": "dp@example.com"}),
        mcp(
            ORDERS,
            "ownership",
            {
                "owners": [
                    {"owner": JDOE, "type": "TECHNICAL_OWNER"},
                    {"owner": TEAM, "type": "BUSINESS_OWNER"},
                ]
            },
        ),
    )

    owners = _asset(gql, ORDERS)["ownership"]["owners"]

    assert owners == [
        {
            "type": "TECHNICAL_OWNER",
            "owner": {
                "urn": JDOE,
                "username": "jdoe",
                "properties": {
                    "displayName": "Jane Doe",
                    "email": "jdoe@example.com",
                    "title": "Engineer",
                },
                "editableProperties": {"slack": "U024BE7LH", "email": "jdoe@example.com"},
            },
        },
        {
            "type": "BUSINESS_OWNER",
            "owner": {
                "urn": TEAM,
                "name": "data-platform",
                "properties": {
                    "displayName": "Data Platform",
                    "email": "dp@example.com",
                    "slack": None,
                },
            },
        },
    ]


def test_a_user_the_metadata_never_described_has_no_properties(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, ownership(ORDERS, "urn:li:corpuser:ghost"))

    [owner] = _asset(gql, ORDERS)["ownership"]["owners"]

    assert owner["owner"] == {
        "urn": "urn:li:corpuser:ghost",
        "username": "ghost",
        "properties": None,
        "editableProperties": None,
    }


def test_the_display_name_wins_over_the_full_name(client: TestClient, gql: GraphQL) -> None:
    ingest(
        client,
        mcp(JDOE, "corpUserInfo", {"displayName": "Jane", "fullName": "Jane Q. Doe"}),
        ownership(ORDERS, JDOE),
    )

    [owner] = _asset(gql, ORDERS)["ownership"]["owners"]

    assert owner["owner"]["properties"]["displayName"] == "Jane"


def test_a_later_ownership_aspect_replaces_the_owners_and_unknown_types_read_as_custom(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, ownership(ORDERS, JDOE, TEAM))

    ingest(
        client,
        mcp(ORDERS, "ownership", {"owners": [{"owner": TEAM, "type": "urn:li:ownershipType:x"}]}),
    )

    owners = _asset(gql, ORDERS)["ownership"]["owners"]
    assert [(o["owner"]["urn"], o["type"]) for o in owners] == [(TEAM, "CUSTOM")]


def test_status_removed_hides_the_asset_from_search_but_keeps_its_incidents_and_health(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, properties(ORDERS, "orders"), properties(EVENTS, "orders_events"))
    raised = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ORDERS}})["raiseIncident"]

    ingest(client, mcp(ORDERS, "status", {"removed": True}))

    assert _asset(gql, ORDERS)["status"] == {"removed": True}
    assert _found(gql, "orders") == [EVENTS]
    kept = gql.data(DATASET_HEALTH, {"urn": ORDERS})["dataset"]
    assert kept["health"][0]["status"] == "FAIL"
    assert [i["urn"] for i in kept["incidents"]["incidents"]] == [raised]


def test_status_not_removed_brings_the_asset_back(client: TestClient, gql: GraphQL) -> None:
    ingest(client, properties(ORDERS, "orders"), mcp(ORDERS, "status", {"removed": True}))

    ingest(client, mcp(ORDERS, "status", {"removed": False}))

    assert _asset(gql, ORDERS)["status"] == {"removed": False}
    assert _found(gql, "orders") == [ORDERS]


def test_editable_properties_set_the_description(client: TestClient, gql: GraphQL) -> None:
    ingest(
        client,
        properties(ORDERS, "orders"),
        mcp(ORDERS, "editableDatasetProperties", {"description": "Edited in the UI."}),
    )

    assert _asset(gql, ORDERS)["properties"]["description"] == "Edited in the UI."
