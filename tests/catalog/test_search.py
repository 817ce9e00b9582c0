"""searchAcrossEntities: free text, filters (OR of ANDs), paging, facets; removed assets hidden."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.catalog.documents import SEARCH
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import dataset, ingest, mcp, ownership, properties

EVENTS = dataset("kafka", "SampleKafkaDataset")
ORDERS = dataset("snowflake", "analytics.public.orders")
CUSTOMERS = dataset("snowflake", "analytics.public.customers")
GONE = dataset("snowflake", "analytics.public.old_orders")
CHART = "urn:li:chart:(looker,look.1)"
FLOW = "urn:li:dataFlow:(airflow,daily_sales,prod)"
JDOE, TEAM = "urn:li:corpuser:jdoe", "urn:li:corpGroup:data-platform"


@pytest.fixture
def catalog(client: TestClient, gql: GraphQL) -> None:
    """Five visible assets (ORDERS and CHART with active incidents) and one removed."""
    ingest(
        client,
        properties(EVENTS, "SampleKafkaDataset", "Clicks from the web site."),
        properties(ORDERS, "orders", "One row per order."),
        properties(CUSTOMERS, "customers", "Customer master data."),
        properties(GONE, "old_orders", "Retired."),
        mcp(GONE, "status", {"removed": True}),
        mcp(CHART, "chartInfo", {"title": "Revenue by day", "inputs": [ORDERS]}),
        mcp(FLOW, "dataFlowInfo", {"name": "daily_sales"}),
        ownership(EVENTS, JDOE),
        ownership(ORDERS, JDOE, TEAM),
        ownership(CHART, TEAM),
    )
    for urn in (ORDERS, CHART, GONE):
        gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": urn}})


def search(gql: GraphQL, query: str = "*", **given: Any) -> dict[str, Any]:
    page: dict[str, Any] = gql.data(SEARCH, {"input": {"query": query, **given}})[
        "searchAcrossEntities"
    ]
    return page


def urns(page: dict[str, Any]) -> list[str]:
    return [r["entity"]["urn"] for r in page["searchResults"]]


def one_filter(field: str, *values: str, negated: bool = False) -> list[dict[str, Any]]:
    return [{"and": [{"field": field, "values": list(values), "negated": negated}]}]


@pytest.mark.usefixtures("catalog")
def test_star_finds_every_asset_but_the_removed_one_by_name(gql: GraphQL) -> None:
    page = search(gql, "*")

    assert page["total"] == 5
    assert page["start"] == 0
    assert page["count"] == 5
    assert urns(page) == [CUSTOMERS, FLOW, ORDERS, CHART, EVENTS]  # by name, in any case
    assert [r["entity"]["type"] for r in page["searchResults"]] == [
        "DATASET",
        "DATA_FLOW",
        "DATASET",
        "CHART",
        "DATASET",
    ]


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("orders", [ORDERS]),  # name (the removed old_orders is not found)
        ("ORDERS", [ORDERS]),  # any case
        ("web site", [EVENTS]),  # description, every word
        ("master web", []),  # every word must match
        ("look.1", [CHART]),  # urn
        ("snowflake", [CUSTOMERS, ORDERS]),  # urn's platform
        ("100%", []),  # LIKE wildcards are plain characters
        ("_", [FLOW]),  # an underscore is a plain character too
    ],
)
def test_free_text_matches_names_descriptions_and_urns(
    gql: GraphQL, query: str, expected: list[str]
) -> None:
    assert urns(search(gql, query)) == expected


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    ("or_filters", "expected"),
    [
        (one_filter("hasActiveIncidents", "true"), [ORDERS, CHART]),
        (one_filter("hasActiveIncidents", "false"), [CUSTOMERS, FLOW, EVENTS]),
        (one_filter("hasActiveIncidents", "true", negated=True), [CUSTOMERS, FLOW, EVENTS]),
        (one_filter("_entityType", "CHART", "DATA_FLOW"), [FLOW, CHART]),
        (one_filter("platform", "urn:li:dataPlatform:snowflake"), [CUSTOMERS, ORDERS]),
        (one_filter("platform", "looker", "airflow"), [FLOW, CHART]),
        (one_filter("owners", JDOE), [ORDERS, EVENTS]),
        (one_filter("owners", TEAM, negated=True), [CUSTOMERS, FLOW, EVENTS]),
        (
            [
                {
                    "and": [
                        {"field": "hasActiveIncidents", "values": ["true"]},
                        {"field": "owners", "values": [JDOE]},
                    ]
                }
            ],
            [ORDERS],
        ),
        (
            [
                {"and": [{"field": "platform", "values": ["kafka"]}]},
                {"and": [{"field": "_entityType", "values": ["CHART"]}]},
            ],
            [CHART, EVENTS],
        ),
    ],
)
def test_filters_narrow_the_search(
    gql: GraphQL, or_filters: list[dict[str, Any]], expected: list[str]
) -> None:
    page = search(gql, "*", orFilters=or_filters)

    assert urns(page) == expected
    assert page["total"] == len(expected)


@pytest.mark.usefixtures("catalog")
def test_types_restrict_the_kinds_searched(gql: GraphQL) -> None:
    assert urns(search(gql, "*", types=["CHART", "DATA_FLOW"])) == [FLOW, CHART]


@pytest.mark.usefixtures("catalog")
def test_a_filter_combines_with_free_text_and_paging(gql: GraphQL) -> None:
    healthy = one_filter("hasActiveIncidents", "false")

    first = search(gql, "a", orFilters=healthy, start=0, count=2)
    second = search(gql, "a", orFilters=healthy, start=2, count=2)

    assert (first["total"], second["total"]) == (3, 3)
    assert (first["start"], first["count"], second["start"], second["count"]) == (0, 2, 2, 1)
    assert urns(first) + urns(second) == [CUSTOMERS, FLOW, EVENTS]


@pytest.mark.usefixtures("catalog")
def test_facets_count_every_match_not_only_the_page(gql: GraphQL) -> None:
    page = search(gql, "*", count=1)

    facets = {f["field"]: f for f in page["facets"]}
    assert facets["_entityType"]["aggregations"] == [
        {"value": "DATASET", "count": 3},
        {"value": "CHART", "count": 1},
        {"value": "DATA_FLOW", "count": 1},
    ]
    assert facets["platform"]["aggregations"] == [
        {"value": "urn:li:dataPlatform:snowflake", "count": 2},
        {"value": "urn:li:dataPlatform:airflow", "count": 1},
        {"value": "urn:li:dataPlatform:kafka", "count": 1},
        {"value": "urn:li:dataPlatform:looker", "count": 1},
    ]
    assert facets["owners"]["aggregations"] == [
        {"value": TEAM, "count": 2},
        {"value": JDOE, "count": 2},
    ]
    assert facets["hasActiveIncidents"] == {
        "field": "hasActiveIncidents",
        "displayName": "Has Active Incidents",
        "aggregations": [{"value": "false", "count": 3}, {"value": "true", "count": 2}],
    }


@pytest.mark.usefixtures("catalog")
def test_facets_follow_the_filters(gql: GraphQL) -> None:
    page = search(gql, "*", orFilters=one_filter("hasActiveIncidents", "true"))

    facets = {f["field"]: f["aggregations"] for f in page["facets"]}
    assert facets["hasActiveIncidents"] == [{"value": "true", "count": 2}]
    assert facets["_entityType"] == [
        {"value": "CHART", "count": 1},
        {"value": "DATASET", "count": 1},
    ]


def test_resolving_the_last_incident_moves_the_asset_out_of_has_active_incidents(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, properties(ORDERS, "orders"))
    raised = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ORDERS}})["raiseIncident"]
    assert urns(search(gql, "*", orFilters=one_filter("hasActiveIncidents", "true"))) == [ORDERS]

    gql.data(
        "mutation r($urn: String!) { updateIncidentStatus(urn: $urn, input: {state: RESOLVED}) }",
        {"urn": raised},
    )

    assert urns(search(gql, "*", orFilters=one_filter("hasActiveIncidents", "true"))) == []
    assert urns(search(gql, "*", orFilters=one_filter("hasActiveIncidents", "false"))) == [ORDERS]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"orFilters": one_filter("colour", "red")}, "Cannot filter on 'colour'"),
        ({"orFilters": one_filter("hasActiveIncidents", "yes")}, "hasActiveIncidents takes"),
        ({"orFilters": one_filter("_entityType", "TABLE")}, "Cannot search entity type 'TABLE'"),
        ({"types": ["CORP_USER"]}, "Cannot search entity type 'CORP_USER'"),
        ({"count": -1}, "count between 0 and 10000"),
        ({"start": -1}, "start must be >= 0"),
    ],
)
def test_a_bad_search_is_a_400_that_says_what_is_wrong(
    gql: GraphQL, given: dict[str, Any], message: str
) -> None:
    error = gql.error(SEARCH, {"input": {"query": "*", **given}})

    assert message in error["message"]
    assert error["extensions"] == {"code": 400, "type": "BAD_REQUEST"}


def test_a_large_count_is_clamped_not_refused(gql: GraphQL) -> None:
    """The DataHub SDK pages through search 5,000 at a time; more than 10,000 is clamped."""
    asked = gql.data(SEARCH, {"input": {"query": "*", "count": 5000}})["searchAcrossEntities"]
    clamped = gql.data(SEARCH, {"input": {"query": "*", "count": 20_000}})

    assert asked["total"] == len(asked["searchResults"])
    assert clamped["searchAcrossEntities"]["total"] == asked["total"]


@pytest.mark.usefixtures("catalog")
def test_a_type_dataflare_does_not_hold_finds_nothing_and_is_no_error(gql: GraphQL) -> None:
    assert search(gql, types=["GLOSSARY_TERM"])["total"] == 0
    assert search(gql, "orders", types=["GLOSSARY_TERM"])["total"] == 0
    mixed = search(gql, types=["MLMODEL", "DATA_FLOW"])
    assert urns(mixed) == [FLOW]
    assert urns(search(gql, orFilters=one_filter("_entityType", "CONTAINER", "CHART"))) == [CHART]
    counted = search(gql, orFilters=one_filter("_entityType", "container"))
    assert (counted["total"], counted["searchResults"]) == (0, [])
