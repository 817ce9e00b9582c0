"""The REST endpoints the DataHub emitter calls: authentication, shapes, errors, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from dataflare.db.database import Database
from dataflare.db.registry import Base
from tests.catalog.documents import ASSET, DATASET_HEALTH
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import AUTH, BATCH, DELETE, ONE, dataset, ingest, mcp, ownership, properties

SNAPSHOT = "/entities?action=ingest"
ORDERS = dataset("snowflake", "orders")
EVENTS = dataset("kafka", "events")
JDOE = "urn:li:corpuser:jdoe"


def _rows(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def _asset(gql: GraphQL, urn: str) -> dict[str, Any]:
    entity: dict[str, Any] = gql.data(ASSET, {"urn": urn})["entity"]
    return entity


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (ONE, {"proposal": properties(ORDERS, "orders"), "async": "false"}),
        (BATCH, {"proposals": [properties(ORDERS, "orders")]}),
        (DELETE, {"urn": ORDERS}),
        (SNAPSHOT, {"entity": {"value": {}}}),
    ],
)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
def test_every_endpoint_refuses_a_missing_or_bad_token_and_writes_nothing(
    client: TestClient, db: Database, path: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    before = _rows(db)

    response = client.post(path, json=body, headers=headers)

    assert response.status_code == 401
    assert "token" in response.json()["message"].lower()
    assert _rows(db) == before


def test_one_proposal_as_the_emitter_sends_it_is_applied(client: TestClient, gql: GraphQL) -> None:
    response = client.post(
        ONE,
        json={"proposal": properties(ORDERS, "orders", "One row per order."), "async": "false"},
        headers=AUTH,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"value": ORDERS}
    assert _asset(gql, ORDERS)["properties"] == {
        "name": "orders",
        "description": "One row per order.",
    }


def test_a_batch_is_applied_in_order_and_answers_its_urns(client: TestClient, gql: GraphQL) -> None:
    response = client.post(
        BATCH,
        json={
            "proposals": [
                properties(ORDERS, "first"),
                properties(EVENTS, "events"),
                properties(ORDERS, "second"),
            ]
        },
        headers=AUTH,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"value": [ORDERS, EVENTS]}
    assert _asset(gql, ORDERS)["properties"]["name"] == "second"
    assert _asset(gql, EVENTS)["properties"]["name"] == "events"


def test_a_snapshot_as_emit_mce_sends_it_is_applied_aspect_by_aspect(
    client: TestClient, gql: GraphQL
) -> None:
    snapshot = {
        "com.linkedin.metadata.snapshot.DatasetSnapshot": {
            "urn": ORDERS,
            "aspects": [
                {
                    "com.linkedin.dataset.DatasetProperties": {
                        "name": "orders",
                        "customProperties": {},
                    }
                },
                {
                    "com.linkedin.common.Ownership": {
                        "owners": [{"owner": JDOE, "type": "DATAOWNER"}]
                    }
                },
                {"com.linkedin.common.BrowsePaths": {"paths": ["/prod/snowflake"]}},
            ],
        }
    }

    response = client.post(
        SNAPSHOT, json={"entity": {"value": snapshot}, "systemMetadata": {}}, headers=AUTH
    )

    assert response.status_code == 200, response.text
    asset = _asset(gql, ORDERS)
    assert asset["properties"]["name"] == "orders"
    assert [o["owner"]["urn"] for o in asset["ownership"]["owners"]] == [JDOE]


def test_aspects_dataflare_does_not_use_are_accepted_and_ignored(
    client: TestClient, db: Database
) -> None:
    before = _rows(db)

    ingest(
        client,
        mcp(ORDERS, "schemaMetadata", {"schemaName": "orders", "fields": []}),
        mcp(ORDERS, "browsePathsV2", {"path": []}),
        mcp("urn:li:tag:pii", "tagKey", {"name": "pii"}),
    )

    assert _rows(db) == before


def _incident(**fields: Any) -> dict[str, Any]:
    return mcp("urn:li:incident:x", "incidentInfo", {"type": "SQL", "entities": [EVENTS], **fields})


def _snapshot(body: Any) -> dict[str, Any]:
    return {"proposedSnapshot": {"DatasetSnapshot": body}}


BAD_BATCHES: list[tuple[list[Any], str]] = [
    (
        [properties(ORDERS, "orders"), {**mcp(EVENTS, "status", {}), "aspect": {"value": "{oops"}}],
        "proposals[1].aspect.value",
    ),
    (
        [properties(ORDERS, "orders"), {**mcp(EVENTS, "status", {}), "aspect": {"value": "[]"}}],
        "proposals[1].aspect.value",
    ),
    ([properties(ORDERS, "orders"), {**mcp(EVENTS, "status", {}), "aspect": 3}], "proposals[1]"),
    (
        [properties(ORDERS, "orders"), {**mcp(EVENTS, "status", {}), "entityType": "chart"}],
        "proposals[1].entityType",
    ),
    ([properties(ORDERS, "orders"), {"entityUrn": EVENTS}], "proposals[1].aspectName"),
    ([properties(ORDERS, "orders"), "not an object"], "proposals[1]"),
    (
        [
            properties(ORDERS, "orders"),
            ownership(ORDERS, JDOE),
            mcp(EVENTS, "ownership", {"owners": [{"type": "TECHNICAL_OWNER"}]}),
        ],
        "proposals[2]",
    ),
    (
        [properties(ORDERS, "orders"), mcp(EVENTS, "upstreamLineage", {"upstreams": "x"})],
        "proposals[1]",
    ),
    (
        [
            properties(ORDERS, "orders"),
            mcp(EVENTS, "upstreamLineage", {"upstreams": [{"dataset": "urn:li:dataset:(x)"}]}),
        ],
        "urn:li:dataset:(x)",
    ),
    (
        [properties(ORDERS, "orders"), properties("urn:li:dataset:(broken", "x")],
        "urn:li:dataset:(broken",
    ),
    ([properties(ORDERS, "orders"), ownership(EVENTS, ORDERS)], "aspect.owners[0].owner"),
    (
        [properties(ORDERS, "orders"), mcp(EVENTS, "status", {"removed": "false"})],
        "aspect.removed",
    ),
    (
        [properties(ORDERS, "orders"), _incident(title=5)],
        "aspect.title",
    ),
    (
        [properties(ORDERS, "orders"), _incident(startedAt="yesterday")],
        "aspect.startedAt",
    ),
    (
        [properties(ORDERS, "orders"), _incident(status={"state": "ACTIVE", "message": 1})],
        "aspect.status.message",
    ),
    (
        [properties(ORDERS, "orders"), _snapshot(7)],
        "proposals[1].proposedSnapshot.DatasetSnapshot",
    ),
    (
        [properties(ORDERS, "orders"), _snapshot({"urn": EVENTS, "aspects": {"Status": {}}})],
        "proposals[1].proposedSnapshot.DatasetSnapshot.aspects",
    ),
    (
        [properties(ORDERS, "orders"), _snapshot({"urn": EVENTS, "aspects": [{"Status": 1}]})],
        "proposals[1].aspects[0].Status",
    ),
]


@pytest.mark.parametrize(("proposals", "named"), BAD_BATCHES)
def test_a_malformed_proposal_fails_the_whole_batch_with_a_message_naming_it(
    client: TestClient, db: Database, gql: GraphQL, proposals: list[Any], named: str
) -> None:
    before = _rows(db)

    response = client.post(BATCH, json={"proposals": proposals}, headers=AUTH)

    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400
    assert named in body["message"]
    assert _rows(db) == before
    assert _asset(gql, ORDERS)["exists"] is False


@pytest.mark.parametrize(
    ("path", "raw", "named"),
    [
        (BATCH, b"{not json", "not valid JSON"),
        (BATCH, b'{"proposal": {}}', '"proposals"'),
        (BATCH, b'{"proposals": {}}', "proposals: a JSON list"),
        (ONE, b'{"proposals": []}', '"proposal"'),
        (DELETE, b'{"urn": ""}', "urn"),
        (SNAPSHOT, b'{"entities": []}', '"entity"'),
        (SNAPSHOT, b'{"entity": {"value": []}}', "entity.value"),
        (SNAPSHOT, b'{"entity": {"value": {"a": {}, "b": {}}}}', "one snapshot object"),
        ("/aspects?action=explode", b"{}", "Unknown action 'explode'"),
    ],
)
def test_a_malformed_request_is_a_400_that_says_what_is_wrong(
    client: TestClient, path: str, raw: bytes, named: str
) -> None:
    response = client.post(path, content=raw, headers=AUTH)

    assert response.status_code == 400, response.text
    assert named in response.json()["message"]


def test_delete_forgets_the_metadata_and_hides_the_asset_but_keeps_its_incidents(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, properties(ORDERS, "orders", "One row per order."), ownership(ORDERS, JDOE))
    raised = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ORDERS}})["raiseIncident"]

    response = client.post(DELETE, json={"urn": ORDERS}, headers=AUTH)

    assert response.status_code == 200, response.text
    assert response.json()["value"]["rows"] == 1
    asset = _asset(gql, ORDERS)
    assert asset["status"] == {"removed": True}
    assert asset["ownership"] is None  # hard-deleted: no metadata, as an asset never described
    assert asset["properties"]["description"] is None
    kept = gql.data(DATASET_HEALTH, {"urn": ORDERS})["dataset"]
    assert [i["urn"] for i in kept["incidents"]["incidents"]] == [raised]
    assert kept["health"][0]["status"] == "FAIL"


def test_deleting_an_unknown_urn_succeeds_and_deletes_nothing(
    client: TestClient, db: Database
) -> None:
    before = _rows(db)

    response = client.post(DELETE, json={"urn": EVENTS}, headers=AUTH)

    assert response.status_code == 200, response.text
    assert response.json()["value"]["rows"] == 0
    assert _rows(db) == before
