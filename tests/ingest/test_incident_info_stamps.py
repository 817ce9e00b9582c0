"""An incident sent as metadata keeps the times and authors it states (created,
status.lastUpdated, startedAt, source and its sourceUrn, priority, stage, assignees): the
order of an asset's incidents and its health's latest follow them; the timeline says who sent
it and when it arrived."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from dataflare.core.clock import now_ms
from tests.conftest import GraphQL
from tests.graphql.documents import HEALTH, RAISE, UPDATE
from tests.ingest.mcps import AUTH, BATCH, dataset, ingest, mcp

ORDERS = dataset("snowflake", "orders")
JDOE, MONTE = "urn:li:corpuser:jdoe", "urn:li:corpuser:montecarlo"
ASSERTION = "urn:li:assertion:4c8e3a"
DAY = 86_400_000
SENT = """
query sent($urn: String!) {
  entity(urn: $urn) {
    ... on Incident {
      created { time actor } startedAt priority source { type }
      assignees { ... on CorpUser { urn } }
      status { state stage message lastUpdated { time actor } }
      activity { time actor kind via }
    }
  }
}
"""
LIST = """
query list($urn: String!) {
  dataset(urn: $urn) { incidents(start: 0, count: 10) { incidents { urn } } }
}
"""


def info(incident: str, at: int, **fields: Any) -> dict[str, Any]:
    value = {
        "type": "FRESHNESS",
        "entities": [ORDERS],
        "status": {
            "state": "ACTIVE",
            "stage": "INVESTIGATION",
            "lastUpdated": {"time": at + 60_000, "actor": JDOE},
        },
        "priority": 0,
        "assignees": [{"actor": JDOE, "assignedAt": {"time": at, "actor": MONTE}}],
        "source": {"type": "ASSERTION_FAILURE", "sourceUrn": ASSERTION},
        "startedAt": at - 60_000,
        "created": {"time": at, "actor": MONTE},
        **fields,
    }
    return mcp(f"urn:li:incident:{incident}", "incidentInfo", value)


def test_an_incident_keeps_the_stamps_it_was_sent_with(client: TestClient, gql: GraphQL) -> None:
    created = now_ms() - 3 * DAY
    before = now_ms()
    ingest(client, info("mc-1", created))

    seen = gql.data(SENT, {"urn": "urn:li:incident:mc-1"})["entity"]
    assert seen["created"] == {"time": created, "actor": MONTE}
    assert seen["startedAt"] == created - 60_000
    assert seen["status"] == {
        "state": "ACTIVE",
        "stage": "INVESTIGATION",
        "message": None,
        "lastUpdated": {"time": created + 60_000, "actor": JDOE},
    }
    assert seen["priority"] == "CRITICAL"
    assert seen["assignees"] == [{"urn": JDOE}]
    assert seen["source"] == {"type": "ASSERTION_FAILURE"}
    [raised] = seen["activity"]
    assert raised["kind"] == "RAISED" and raised["via"] == "METADATA"
    assert raised["actor"] == "urn:li:corpuser:datahub"  # who sent it
    assert raised["time"] >= before  # when it arrived

    path = f"/aspects/{quote('urn:li:incident:mc-1', safe='')}?aspect=incidentInfo&version=0"
    served = client.get(path, headers=AUTH).json()["aspect"]["com.linkedin.incident.IncidentInfo"]
    assert served["created"] == {"time": created, "actor": MONTE}
    assert served["source"] == {"type": "ASSERTION_FAILURE", "sourceUrn": ASSERTION}


def test_order_and_latest_follow_the_incidents_own_times(client: TestClient, gql: GraphQL) -> None:
    # sent in the opposite order of their own times: the newest arrives first
    ingest(client, info("new", now_ms() - DAY))
    ingest(client, info("old", now_ms() - 5 * DAY))
    raised = gql.data(RAISE, {"input": {"type": "VOLUME", "resourceUrn": ORDERS}})["raiseIncident"]

    listed = gql.data(LIST, {"urn": ORDERS})["dataset"]["incidents"]["incidents"]
    assert [i["urn"] for i in listed] == [raised, "urn:li:incident:new", "urn:li:incident:old"]
    health = gql.data(HEALTH, {"urn": ORDERS})["entity"]["health"][0]
    assert health["activeIncidentHealthDetails"]["latestIncidentUrn"] == raised


def test_a_later_status_keeps_its_own_stamp_and_the_same_again_changes_nothing(
    client: TestClient, gql: GraphQL
) -> None:
    created = now_ms() - 2 * DAY
    ingest(client, info("mc-2", created))
    resolved = {
        "state": "RESOLVED",
        "message": "fixed upstream",
        "lastUpdated": {"time": created + DAY, "actor": MONTE},
    }
    ingest(client, info("mc-2", created, status=resolved))
    ingest(client, info("mc-2", created, status=resolved))

    seen = gql.data(SENT, {"urn": "urn:li:incident:mc-2"})["entity"]
    assert seen["status"]["state"] == "RESOLVED"
    assert seen["status"]["lastUpdated"] == {"time": created + DAY, "actor": MONTE}
    assert seen["created"] == {"time": created, "actor": MONTE}
    kinds = [(e["kind"], e["via"], e["actor"]) for e in seen["activity"]]
    assert kinds[-1] == ("STATE", "METADATA", "urn:li:corpuser:datahub")
    assert len(kinds) == 2


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"created": {"time": "yesterday", "actor": MONTE}}, "aspect.created.time"),
        ({"created": {"time": -1, "actor": MONTE}}, "aspect.created.time"),
        ({"created": {"time": 0, "actor": "jdoe"}}, "aspect.created.actor"),
        ({"created": "now"}, "aspect.created"),
        ({"status": {"state": "ACTIVE", "lastUpdated": {"time": 1}}}, "status.lastUpdated.actor"),
        ({"source": {"type": "MANUAL", "sourceUrn": "assertion-1"}}, "source URN"),
        ({"source": {"type": "MANUAL", "sourceUrn": 7}}, "aspect.source.sourceUrn"),
        (
            {"assignees": [{"actor": JDOE, "assignedAt": {"time": "soon", "actor": MONTE}}]},
            "aspect.assignees[0].assignedAt.time",
        ),
    ],
)
def test_a_bad_stamp_is_a_400_naming_it(
    client: TestClient, fields: dict[str, Any], named: str
) -> None:
    response = client.post(
        BATCH, json={"proposals": [info("bad", 100_000, **fields)]}, headers=AUTH
    )
    assert response.status_code == 400, response.text
    assert named in response.json()["message"]


def _assignments(client: TestClient, incident: str) -> list[Any]:
    path = f"/aspects/{quote(incident, safe='')}?aspect=incidentInfo&version=0"
    response = client.get(path, headers=AUTH)
    assert response.status_code == 200, response.text
    kept: list[Any] = response.json()["aspect"]["com.linkedin.incident.IncidentInfo"]["assignees"]
    return kept


def test_each_assignee_keeps_when_and_by_whom_it_was_assigned(
    client: TestClient, gql: GraphQL
) -> None:
    at = now_ms() - DAY
    ann = "urn:li:corpuser:ann"
    assignees = [
        {"actor": JDOE, "assignedAt": {"time": at + 5, "actor": MONTE}},
        {"actor": ann},  # no stamp sent: assigned when the incident was created
    ]
    ingest(client, info("mc-9", at, assignees=assignees))
    urn = "urn:li:incident:mc-9"

    assert _assignments(client, urn) == [
        {"actor": JDOE, "assignedAt": {"time": at + 5, "actor": MONTE}},
        {"actor": ann, "assignedAt": {"time": at, "actor": MONTE}},
    ]

    # Through the API: a new assignee is stamped with the change, the others keep theirs.
    before = now_ms()
    bob = "urn:li:corpuser:bob"
    gql.data(UPDATE, {"urn": urn, "input": {"assigneeUrns": [JDOE, bob]}})
    [kept, added] = _assignments(client, urn)
    assert kept == {"actor": JDOE, "assignedAt": {"time": at + 5, "actor": MONTE}}
    assert added["actor"] == bob and added["assignedAt"]["actor"] == "urn:li:corpuser:datahub"
    assert added["assignedAt"]["time"] >= before
