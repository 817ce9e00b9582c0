"""Hard delete of an incident, as `datahub delete --urn urn:li:incident:... --hard` sends it
(POST /entities?action=delete): the incident goes, its assets' health and counts move, an
audit row and the server log say who deleted what; only for who may edit its assets."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from dataflare.db.database import Database
from dataflare.events.models import NotificationEvent
from dataflare.incidents.models import IncidentActivity, IncidentAsset, IncidentDeletion
from tests.access.helpers import user_with_token
from tests.conftest import GraphQL
from tests.graphql.documents import HEALTH, RAISE
from tests.ingest.mcps import AUTH, DELETE, dataset

ORDERS = dataset("snowflake", "orders")
EVENTS = dataset("kafka", "events")
ENTITY = "query e($urn: String!) { entity(urn: $urn) { urn } }"
COUNTS = """
query counts($urn: String!) {
  dataset(urn: $urn) { incidents(start: 0, count: 10) { total incidents { urn } } }
  searchAcrossEntities(input: {query: "*",
      orFilters: [{and: [{field: "hasActiveIncidents", values: ["true"]}]}]}) { total }
}
"""


def raise_on(gql: GraphQL, *urns: str, **fields: Any) -> str:
    given = {"type": "OPERATIONAL", "resourceUrns": list(urns), **fields}
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


def delete(client: TestClient, urn: str, token: str | None = None) -> Any:
    headers = AUTH if token is None else {"Authorization": f"Bearer {token}"}
    return client.post(DELETE, json={"urn": urn}, headers=headers)


def count(db: Database, model: Any) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_hard_delete_removes_the_incident_and_its_assets_heal(
    client: TestClient, gql: GraphQL, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    older = raise_on(gql, ORDERS, dedupKey="late")
    newer = raise_on(gql, ORDERS, EVENTS, title="newest")

    with caplog.at_level(logging.INFO, logger="dataflare.incidents"):
        response = delete(client, newer)

    assert response.status_code == 200, response.text
    assert response.json() == {"value": {"urn": newer, "rows": 3, "timeseriesRows": 0}}
    assert gql.data(ENTITY, {"urn": newer})["entity"] is None
    seen = gql.data(COUNTS, {"urn": ORDERS})
    assert seen["dataset"]["incidents"] == {"total": 1, "incidents": [{"urn": older}]}
    assert seen["searchAcrossEntities"]["total"] == 1  # EVENTS has none left
    health = gql.data(HEALTH, {"urn": ORDERS})["entity"]["health"][0]
    assert health["message"] == "1 active incident"
    assert health["activeIncidentHealthDetails"]["latestIncidentUrn"] == older
    assert gql.data(HEALTH, {"urn": EVENTS})["entity"]["health"][0]["status"] == "PASS"
    assert count(db, IncidentAsset) == 1
    assert count(db, IncidentActivity) == 1  # the older incident's
    assert count(db, NotificationEvent) == 1  # the newer one's, not delivered, went with it
    with db.session() as session:
        [audit] = session.scalars(select(IncidentDeletion))
        assert (audit.incident_urn, audit.deleted_by) == (newer, "urn:li:corpuser:datahub")
        assert json.loads(audit.incident)["assets"] == [ORDERS, EVENTS]
    assert f"incident {newer} deleted by urn:li:corpuser:datahub" in caplog.text


def test_the_last_active_incident_deleted_leaves_the_asset_healthy_and_its_key_free(
    client: TestClient, gql: GraphQL
) -> None:
    first = raise_on(gql, ORDERS, dedupKey="late")
    assert delete(client, first).status_code == 200

    seen = gql.data(COUNTS, {"urn": ORDERS})
    assert seen["dataset"]["incidents"]["total"] == 0
    assert seen["searchAcrossEntities"]["total"] == 0
    assert gql.data(HEALTH, {"urn": ORDERS})["entity"]["health"][0]["status"] == "PASS"
    again = raise_on(gql, ORDERS, dedupKey="late")  # a new incident, not a repeat of the gone
    assert again != first


def test_a_deleted_resolved_incident_leaves_the_counts_right(
    client: TestClient, gql: GraphQL
) -> None:
    resolved = raise_on(gql, ORDERS, status={"state": "RESOLVED"})
    active = raise_on(gql, ORDERS)
    assert delete(client, resolved).status_code == 200
    seen = gql.data(COUNTS, {"urn": ORDERS})
    assert seen["dataset"]["incidents"] == {"total": 1, "incidents": [{"urn": active}]}
    assert seen["searchAcrossEntities"]["total"] == 1


def test_only_who_may_edit_incidents_on_its_assets_deletes_one(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    urn = raise_on(gql, ORDERS)
    reader = user_with_token(db, "rita", "Reader")

    response = delete(client, urn, reader)

    assert response.status_code == 403
    assert "Unauthorized" in response.json()["message"]
    assert gql.data(ENTITY, {"urn": urn})["entity"] == {"urn": urn}
    assert count(db, IncidentDeletion) == 0
    editor = user_with_token(db, "ed", "Editor")
    assert delete(client, urn, editor).status_code == 200
    assert gql.data(ENTITY, {"urn": urn})["entity"] is None


def test_deleting_an_unknown_incident_changes_nothing(client: TestClient, db: Database) -> None:
    response = delete(client, "urn:li:incident:never")
    assert response.json() == {
        "value": {"urn": "urn:li:incident:never", "rows": 0, "timeseriesRows": 0}
    }
    assert count(db, IncidentDeletion) == 0
