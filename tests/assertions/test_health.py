"""The ASSERTIONS health beside the INCIDENTS one, and an incident's assertion source."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.assertions.documents import (
    ASSERTION,
    ASSERTION_HEALTH,
    INCIDENT_SOURCE,
    ORDERS,
    dataset_info,
    run,
)
from tests.conftest import GraphQL
from tests.ingest.mcps import ingest, mcp

OTHER = "urn:li:assertion:other"
T0 = 1_700_000_000_000


def _health(gql: GraphQL) -> list[dict[str, Any]]:
    health: list[dict[str, Any]] = gql.data(ASSERTION_HEALTH, {"urn": ORDERS})["dataset"]["health"]
    return health


def test_without_results_only_the_incidents_health_shows(client: TestClient, gql: GraphQL) -> None:
    ingest(client, dataset_info())

    assert [h["type"] for h in _health(gql)] == ["INCIDENTS"]


def test_a_failing_assertion_fails_the_assertions_health(client: TestClient, gql: GraphQL) -> None:
    ingest(
        client,
        dataset_info(),
        dataset_info(OTHER),
        run(T0, "FAILURE"),
        run(T0 + 5, "SUCCESS", urn=OTHER),
    )

    incidents, assertions = _health(gql)

    assert incidents["type"] == "INCIDENTS"
    assert assertions == {
        "type": "ASSERTIONS",
        "status": "FAIL",
        "message": "1 of 2 assertions are failing",
        "causes": [ASSERTION],
        "reportedAt": T0,
        "latestAssertionStatusByType": [
            {
                "type": "DATASET",
                "status": "FAIL",
                "total": 2,
                "statusCount": 1,
                "lastStatusResultAt": T0,
            }
        ],
    }


def test_a_newer_pass_makes_it_healthy_and_a_late_older_failure_does_not(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, dataset_info(), run(T0, "FAILURE"), run(T0 + 10, "SUCCESS"))
    ingest(client, run(T0 + 5, "FAILURE"))  # older than the pass, arriving late

    assertions = _health(gql)[1]

    assert (assertions["status"], assertions["message"]) == ("PASS", "All assertions are passing")
    assert assertions["reportedAt"] == T0 + 10


def test_an_assertion_that_could_not_run_warns(client: TestClient, gql: GraphQL) -> None:
    ingest(client, dataset_info(), run(T0, "ERROR"))

    assertions = _health(gql)[1]

    assert (assertions["status"], assertions["message"]) == (
        "WARN",
        "1 of 1 assertions are erroring",
    )


def test_a_removed_assertion_leaves_the_health(client: TestClient, gql: GraphQL) -> None:
    ingest(client, dataset_info(), run(T0, "FAILURE"), mcp(ASSERTION, "status", {"removed": True}))

    assert [h["type"] for h in _health(gql)] == ["INCIDENTS"]


def test_an_incident_from_a_failed_assertion_names_it_as_its_source(
    client: TestClient, gql: GraphQL
) -> None:
    incident = "urn:li:incident:mc-1"
    info = {
        "type": "FRESHNESS",
        "title": "Orders late",
        "entities": [ORDERS],
        "status": {"state": "ACTIVE"},
        "source": {"type": "ASSERTION_FAILURE", "sourceUrn": ASSERTION},
    }
    ingest(client, mcp(incident, "incidentInfo", info), dataset_info())

    source = gql.data(INCIDENT_SOURCE, {"urn": incident})["entity"]["source"]

    assert source == {
        "type": "ASSERTION_FAILURE",
        "source": {
            "urn": ASSERTION,
            "type": "ASSERTION",
            "info": {"type": "DATASET", "datasetAssertion": {"datasetUrn": ORDERS}},
        },
    }


def test_an_assertion_is_an_entity(client: TestClient, gql: GraphQL) -> None:
    ingest(client, dataset_info())

    found = gql.data(
        "query e($urn: String!) {"
        " entity(urn: $urn) { urn type ... on Assertion { info { type } } } }",
        {"urn": ASSERTION},
    )["entity"]

    assert found == {"urn": ASSERTION, "type": "ASSERTION", "info": {"type": "DATASET"}}
