"""An incidentInfo aspect creates its incident, or brings the existing one up to date."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.conftest import GraphQL
from tests.graphql.documents import ACTIVITY, HEALTH, INCIDENT
from tests.ingest.mcps import dataset, ingest, mcp

ORDERS = dataset("snowflake", "orders")
CHART = "urn:li:chart:(looker,look.1)"
INCIDENT_URN = "urn:li:incident:mc-1234"
JDOE = "urn:li:corpuser:jdoe"


def incident_info(**fields: Any) -> dict[str, Any]:
    value = {
        "type": "FRESHNESS",
        "title": "Orders late",
        "description": "No load since 02:00.",
        "entities": [ORDERS, CHART],
        "status": {"state": "ACTIVE", "stage": "TRIAGE", "message": "looking"},
        "priority": 1,
        "assignees": [{"actor": JDOE}],
        "source": {"type": "ASSERTION_FAILURE"},
        "startedAt": 1700000000000,
        **fields,
    }
    return mcp(INCIDENT_URN, "incidentInfo", value)


def _incident(gql: GraphQL) -> dict[str, Any]:
    incident: dict[str, Any] = gql.data(INCIDENT, {"urn": INCIDENT_URN})["entity"]
    return incident


def _health(gql: GraphQL, urn: str) -> dict[str, Any]:
    health: dict[str, Any] = gql.data(HEALTH, {"urn": urn})["entity"]["health"][0]
    return health


def _activity(gql: GraphQL) -> list[dict[str, Any]]:
    activity: list[dict[str, Any]] = gql.data(ACTIVITY, {"urn": INCIDENT_URN})["entity"]["activity"]
    return activity


def test_an_incident_info_aspect_creates_the_incident_with_every_field(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, incident_info())

    incident = _incident(gql)
    assert incident["incidentType"] == "FRESHNESS"
    assert incident["title"] == "Orders late"
    assert incident["description"] == "No load since 02:00."
    assert incident["entities"] == [{"urn": ORDERS}, {"urn": CHART}]
    assert incident["status"]["state"] == "ACTIVE"
    assert incident["status"]["stage"] == "TRIAGE"
    assert incident["status"]["message"] == "looking"
    assert incident["priority"] == "HIGH"
    assert incident["assignees"] == [{"urn": JDOE, "username": "jdoe"}]
    assert incident["source"] == {"type": "ASSERTION_FAILURE"}
    assert incident["startedAt"] == 1700000000000
    for urn in (ORDERS, CHART):
        health = _health(gql, urn)
        assert health["status"] == "FAIL"
        assert health["activeIncidentHealthDetails"]["latestIncidentUrn"] == INCIDENT_URN


def test_a_later_incident_info_resolves_the_incident_and_the_assets_heal(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, incident_info())

    ingest(
        client,
        incident_info(
            title="Orders were late",
            status={"state": "RESOLVED", "stage": "FIXED", "message": "reloaded"},
        ),
    )

    incident = _incident(gql)
    assert incident["title"] == "Orders were late"
    assert incident["status"]["state"] == "RESOLVED"
    assert incident["status"]["stage"] == "FIXED"
    assert incident["status"]["message"] == "reloaded"
    assert [_health(gql, urn)["status"] for urn in (ORDERS, CHART)] == ["PASS", "PASS"]


def test_changing_the_entities_moves_the_failing_health(client: TestClient, gql: GraphQL) -> None:
    ingest(client, incident_info())

    ingest(client, incident_info(entities=[CHART]))

    assert _incident(gql)["entities"] == [{"urn": CHART}]
    assert _health(gql, ORDERS)["status"] == "PASS"
    assert _health(gql, CHART)["status"] == "FAIL"


def test_an_incident_written_as_resolved_leaves_its_assets_healthy(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, incident_info(status={"state": "RESOLVED"}))

    assert _incident(gql)["status"]["state"] == "RESOLVED"
    assert _health(gql, ORDERS)["status"] == "PASS"


def test_the_same_incident_info_twice_records_no_new_activity(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, incident_info())
    before = _activity(gql)

    ingest(client, incident_info())

    assert _activity(gql) == before
    assert _health(gql, ORDERS)["activeIncidentHealthDetails"]["count"] == 1
