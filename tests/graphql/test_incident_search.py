"""Incidents across all assets: searchAcrossEntities(types: [INCIDENT]) with DataHub's incident
filters, free text, facets and paging; `me`; and the MCP channel in the timeline."""

from typing import Any

import pytest
from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.access.helpers import user_with_token
from tests.conftest import ADMIN_TOKEN, GraphQL
from tests.graphql.documents import CHART, KAFKA, RAISE, UPDATE, UPDATE_STATUS
from tests.ingest.mcps import ingest, ownership

SEARCH = """
query ($input: SearchAcrossEntitiesInput!) {
  searchAcrossEntities(input: $input) {
    start count total
    searchResults { entity { urn type ... on Incident { title priority status { state } } } }
    facets { field aggregations { value count } }
  }
}
"""
SEARCH_TIMES = """
query ($input: SearchAcrossEntitiesInput!) {
  searchAcrossEntities(input: $input) {
    searchResults { entity { ... on Incident { title created { time } } } }
  }
}
"""
ME = """{ me { corpUser { urn username role } platformPrivileges {
  generatePersonalAccessTokens manageTokens manageIdentities editEntityIncidents } } }"""
BO = "urn:li:corpuser:bo"
TIMELINE = """query ($urn: String!) { entity(urn: $urn) { ... on Incident {
  activity { kind actor via } } } }"""


def _raise(gql: GraphQL, resource: str, title: str, **fields: Any) -> str:
    given = {"type": "OPERATIONAL", "resourceUrn": resource, "title": title, **fields}
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


def _search(gql: GraphQL, query: str = "*", *groups: list[dict[str, Any]], **page: int) -> Any:
    given: dict[str, Any] = {"types": ["INCIDENT"], "query": query, **page}
    if groups:
        given["orFilters"] = [{"and": group} for group in groups]
    return gql.data(SEARCH, {"input": given})["searchAcrossEntities"]


def _titles(page: dict[str, Any]) -> list[str]:
    return [r["entity"]["title"] for r in page["searchResults"]]


@pytest.fixture
def three(gql: GraphQL) -> dict[str, str]:
    """Three incidents on two assets: loader (KAFKA, CRITICAL), chart (CHART, LOW, resolved),
    late rows (KAFKA, FRESHNESS, assigned to ann)."""
    loader = _raise(gql, KAFKA, "Loader failed", priority="CRITICAL", description="disk full")
    chart = _raise(gql, CHART, "Chart broken", priority="LOW")
    gql.data(UPDATE_STATUS, {"urn": chart, "input": {"state": "RESOLVED"}})
    late = _raise(
        gql,
        KAFKA,
        "Late rows",
        type="FRESHNESS",
        assigneeUrns=["urn:li:corpuser:ann"],
    )
    return {"loader": loader, "chart": chart, "late": late}


def test_every_incident_newest_first_with_facets(gql: GraphQL, three: dict[str, str]) -> None:
    page = _search(gql)

    assert page["total"] == 3
    assert _titles(page) == ["Late rows", "Chart broken", "Loader failed"]
    assert {r["entity"]["type"] for r in page["searchResults"]} == {"INCIDENT"}
    facets = {f["field"]: f["aggregations"] for f in page["facets"]}
    assert facets["state"] == [
        {"value": "ACTIVE", "count": 2},
        {"value": "RESOLVED", "count": 1},
    ]
    assert facets["priority"] == [
        {"value": "CRITICAL", "count": 1},
        {"value": "LOW", "count": 1},
    ]
    assert {"value": "FRESHNESS", "count": 1} in facets["type"]


def test_filters_narrow_the_incidents(gql: GraphQL, three: dict[str, str]) -> None:
    active = {"field": "state", "values": ["ACTIVE"]}
    on_kafka = {"field": "entities", "values": [KAFKA]}
    critical = {"field": "priority", "values": ["CRITICAL"]}
    anns = {"field": "assignees", "values": ["urn:li:corpuser:ann"]}

    assert _titles(_search(gql, "*", [active])) == ["Late rows", "Loader failed"]
    assert _titles(_search(gql, "*", [on_kafka, critical])) == ["Loader failed"]
    assert _titles(_search(gql, "*", [anns])) == ["Late rows"]
    # OR of two groups, and a negated filter
    either = _search(gql, "*", [critical], [{"field": "state", "values": ["RESOLVED"]}])
    assert _titles(either) == ["Chart broken", "Loader failed"]
    not_kafka = _search(gql, "*", [{**on_kafka, "negated": True}])
    assert _titles(not_kafka) == ["Chart broken"]


def test_free_text_looks_in_title_and_description(gql: GraphQL, three: dict[str, str]) -> None:
    assert _titles(_search(gql, "DISK")) == ["Loader failed"]
    assert _titles(_search(gql, "rows late")) == ["Late rows"]
    assert _search(gql, "50%_off")["total"] == 0  # LIKE's wildcards are plain characters


def test_paging(gql: GraphQL, three: dict[str, str]) -> None:
    page = _search(gql, start=1, count=1)
    assert (page["start"], page["count"], page["total"]) == (1, 1, 3)
    assert _titles(page) == ["Chart broken"]


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"types": ["INCIDENT", "DATASET"], "query": "*"}, "INCIDENT is searched on its own"),
        (
            {
                "types": ["INCIDENT"],
                "query": "*",
                "orFilters": [{"and": [{"field": "colour", "values": ["red"]}]}],
            },
            "Cannot filter incidents on 'colour'",
        ),
        (
            {
                "types": ["INCIDENT"],
                "query": "*",
                "orFilters": [{"and": [{"field": "priority", "values": ["URGENT"]}]}],
            },
            "Unknown priority 'URGENT'",
        ),
    ],
)
def test_bad_incident_searches_say_what_is_wrong(
    gql: GraphQL, given: dict[str, Any], named: str
) -> None:
    error = gql.error(SEARCH, {"input": given})
    assert named in error["message"]
    assert error["extensions"]["code"] == 400


def test_me_names_the_caller_and_what_they_may_do(gql: GraphQL, db: Database) -> None:
    reader_token = user_with_token(db, "rita", "Reader")
    admin = gql.data(ME)["me"]
    assert admin["corpUser"]["urn"] == "urn:li:corpuser:datahub"
    assert admin["platformPrivileges"]["editEntityIncidents"] is True

    reader = gql.data(ME, token=reader_token)["me"]
    assert reader["corpUser"]["role"] == "Reader"
    assert reader["platformPrivileges"] == {
        "generatePersonalAccessTokens": True,
        "manageTokens": False,
        "manageIdentities": False,
        "editEntityIncidents": False,
    }


def test_a_change_sent_via_mcp_is_marked_in_the_timeline(gql: GraphQL, client: TestClient) -> None:
    plain = _raise(gql, KAFKA, "by hand")
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "X-Dataflare-Via": "mcp"}
    body = {"query": RAISE, "variables": {"input": {"type": "SQL", "resourceUrn": KAFKA}}}
    agent = client.post("/api/graphql", json=body, headers=headers).json()["data"]["raiseIncident"]

    def via(urn: str) -> list[Any]:
        entries = gql.data(TIMELINE, {"urn": urn})["entity"]["activity"]
        return [(e["kind"], e["via"]) for e in entries]

    assert via(plain) == [("RAISED", None)]
    assert via(agent) == [("RAISED", "MCP")]


def test_an_unknown_channel_is_refused(client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "X-Dataflare-Via": "carrier-pigeon"}
    response = client.post(
        "/api/graphql", json={"query": "{ me { corpUser { urn } } }"}, headers=headers
    )
    assert response.status_code == 400
    assert "Unknown X-Dataflare-Via 'carrier-pigeon'" in response.json()["errors"][0]["message"]


def test_owners_platform_and_time_ranges_narrow_incidents(
    gql: GraphQL, client: TestClient, three: dict[str, str]
) -> None:
    ingest(client, ownership(CHART, "urn:li:corpuser:bo"))
    page = gql.data(SEARCH_TIMES, {"input": {"types": ["INCIDENT"], "query": "*"}})
    created = {
        r["entity"]["title"]: r["entity"]["created"]["time"]
        for r in page["searchAcrossEntities"]["searchResults"]
    }

    owned = _search(gql, "*", [{"field": "owners", "values": ["urn:li:corpuser:bo"]}])
    assert _titles(owned) == ["Chart broken"]
    on_kafka = _search(gql, "*", [{"field": "platform", "values": ["urn:li:dataPlatform:kafka"]}])
    assert _titles(on_kafka) == ["Late rows", "Loader failed"]
    since = {
        "field": "created",
        "condition": "GREATER_THAN_OR_EQUAL_TO",
        "values": [str(created["Chart broken"])],
    }
    assert _titles(_search(gql, "*", [since])) == ["Late rows", "Chart broken"]
    before = {**since, "condition": "LESS_THAN"}
    assert _titles(_search(gql, "*", [before])) == ["Loader failed"]


def test_entities_and_assignees_facets_count_the_matches(
    gql: GraphQL, client: TestClient, three: dict[str, str]
) -> None:
    gql.data(
        UPDATE,
        {"urn": three["loader"], "input": {"assigneeUrns": ["urn:li:corpuser:ann", BO]}},
    )
    ingest(client, ownership(KAFKA, BO))

    every = {f["field"]: f["aggregations"] for f in _search(gql)["facets"]}
    # Filters on the same tables the facets join (assets, owners) count only what they match.
    owned = _search(
        gql, "*", [{"field": "owners", "values": [BO]}, {"field": "entities", "values": [KAFKA]}]
    )
    narrowed = {f["field"]: f["aggregations"] for f in owned["facets"]}

    assert every["entities"] == [{"value": KAFKA, "count": 2}, {"value": CHART, "count": 1}]
    assert every["assignees"] == [
        {"value": "urn:li:corpuser:ann", "count": 2},
        {"value": BO, "count": 1},
    ]
    assert narrowed["entities"] == [{"value": KAFKA, "count": 2}]
    assert narrowed["state"] == [{"value": "ACTIVE", "count": 2}]
    assert _titles(_search(gql, "*", [{"field": "assignees", "values": [BO]}])) == ["Loader failed"]


def test_sorting_by_priority_and_last_update(gql: GraphQL, three: dict[str, str]) -> None:
    def ordered(field: str, order: str) -> list[str]:
        given = {
            "types": ["INCIDENT"],
            "query": "*",
            "sortInput": {"sortCriterion": {"field": field, "sortOrder": order}},
        }
        return _titles(gql.data(SEARCH, {"input": given})["searchAcrossEntities"])

    # CRITICAL (0), LOW (3), then no priority last, whichever way
    assert ordered("priority", "ASCENDING") == ["Loader failed", "Chart broken", "Late rows"]
    assert ordered("priority", "DESCENDING") == ["Chart broken", "Loader failed", "Late rows"]
    # the chart's incident was resolved after the others were raised
    assert ordered("lastUpdated", "DESCENDING")[0] == "Late rows"
    assert ordered("created", "ASCENDING") == ["Loader failed", "Chart broken", "Late rows"]


@pytest.mark.parametrize(
    ("given", "named"),
    [
        (
            {
                "types": ["INCIDENT"],
                "query": "*",
                "sortInput": {"sortCriterion": {"field": "title", "sortOrder": "ASCENDING"}},
            },
            "Cannot sort incidents by 'title'",
        ),
        (
            {
                "query": "*",
                "sortInput": {"sortCriterion": {"field": "created", "sortOrder": "ASCENDING"}},
            },
            "sortInput orders incident searches",
        ),
        (
            {
                "types": ["INCIDENT"],
                "query": "*",
                "orFilters": [
                    {
                        "and": [
                            {"field": "created", "condition": "LESS_THAN", "values": ["yesterday"]}
                        ]
                    }
                ],
            },
            "takes one time in epoch milliseconds",
        ),
        (
            {
                "types": ["INCIDENT"],
                "query": "*",
                "orFilters": [
                    {"and": [{"field": "state", "condition": "GREATER_THAN", "values": ["A"]}]}
                ],
            },
            "got GREATER_THAN on 'state'",
        ),
    ],
)
def test_bad_sorts_and_ranges_say_what_is_wrong(
    gql: GraphQL, given: dict[str, Any], named: str
) -> None:
    error = gql.error(SEARCH, {"input": given})
    assert named in error["message"]
    assert error["extensions"]["code"] == 400
