"""An asset's owners may edit incidents on it whatever their role; metadata needs a sender's
privilege, and an incident sent as metadata needs the right to edit incidents on its assets."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.access.helpers import user_with_token
from tests.conftest import ADMIN_TOKEN, GraphQL
from tests.graphql.documents import KAFKA, RAISE, UPDATE_STATUS
from tests.ingest.mcps import BATCH, mcp

UNAUTHORIZED = "Unauthorized to perform this action. Please contact your DataHub administrator."
CHART = "urn:li:chart:(looker,look.1)"


def _ingest(client: TestClient, token: str, *proposals: dict[str, Any]) -> Any:
    return client.post(
        BATCH,
        json={"proposals": list(proposals)},
        headers={"Authorization": f"Bearer {token}"},
    )


def _own(client: TestClient, asset: str, owner: str) -> None:
    ownership = {"owners": [{"owner": owner, "type": "TECHNICAL_OWNER"}]}
    assert _ingest(client, ADMIN_TOKEN, mcp(asset, "ownership", ownership)).status_code == 200


def test_a_reader_who_owns_the_asset_may_raise_and_resolve(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    token = user_with_token(db, "owner", "Reader")
    _own(client, KAFKA, "urn:li:corpuser:owner")

    urn = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA}}, token=token)[
        "raiseIncident"
    ]
    resolved = gql.data(UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED"}}, token=token)

    assert resolved == {"updateIncidentStatus": "true"}


def test_owning_one_asset_is_not_enough_for_an_incident_on_two(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    token = user_with_token(db, "owner", "Reader")
    _own(client, KAFKA, "urn:li:corpuser:owner")

    body = gql(RAISE, {"input": {"type": "SQL", "resourceUrns": [KAFKA, CHART]}}, token=token)

    assert body["errors"][0]["message"] == UNAUTHORIZED


def test_a_reader_who_owns_nothing_is_refused(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    token = user_with_token(db, "bystander", "Reader")
    _own(client, KAFKA, "urn:li:corpuser:owner")

    body = gql(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA}}, token=token)

    assert body["errors"][0]["extensions"] == {"code": 403, "type": "UNAUTHORIZED"}


def test_a_reader_may_not_send_metadata(client: TestClient, db: Database) -> None:
    token = user_with_token(db, "reader", "Reader")

    response = _ingest(client, token, mcp(KAFKA, "status", {"removed": True}))

    assert response.status_code == 403
    assert response.json()["message"] == UNAUTHORIZED


def test_an_editor_may_write_an_incident_as_metadata(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    editor = user_with_token(db, "ed", "Editor")
    info = {"type": "OPERATIONAL", "entities": [KAFKA], "status": {"state": "ACTIVE"}}

    accepted = _ingest(client, editor, mcp("urn:li:incident:from-metadata", "incidentInfo", info))

    assert accepted.status_code == 200
    incident = gql.data('{ entity(urn: "urn:li:incident:from-metadata") { urn } }')
    assert incident == {"entity": {"urn": "urn:li:incident:from-metadata"}}
