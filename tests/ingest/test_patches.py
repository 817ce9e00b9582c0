"""PATCH proposals of upstreamLineage, as DataHub's dbt source sends the warehouse tables'
lineage by default: applied to the aspect Dataflare keeps, in the batch with the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.ingest.mcps import AUTH, BATCH, dataset, ingest, mcp, ownership, upstreams
from tests.ingest.test_gms_reads import aspect_path, get

WAREHOUSE = dataset("duckdb", "shop.main.orders")
DBT = dataset("dbt", "shop.main.orders")
RAW = dataset("duckdb", "shop.main.raw_orders")
LINEAGE = "com.linkedin.dataset.UpstreamLineage"


def patch(urn: str, aspect_name: str, ops: Any) -> dict[str, Any]:
    """A PATCH as the REST emitter sends it: the operations as JSON Patch text."""
    return {
        "entityType": urn.split(":")[2],
        "entityUrn": urn,
        "changeType": "PATCH",
        "aspectName": aspect_name,
        "aspect": {"value": json.dumps(ops), "contentType": "application/json-patch+json"},
    }


def field(urn: str, name: str) -> str:
    return f"urn:li:schemaField:({urn},{name})"


# What the dbt source (acryl-datahub 1.7) sends for a model's warehouse table.
DBT_SIBLING = [
    {
        "op": "add",
        "path": f"/upstreams/{DBT}",
        "value": {
            "auditStamp": {"time": 0, "actor": "urn:li:corpuser:unknown"},
            "dataset": DBT,
            "type": "COPY",
        },
    },
    {
        "op": "add",
        "path": f"/fineGrainedLineages/NONE/{field(WAREHOUSE, 'order_id')}/NONE/"
        f"{field(DBT, 'order_id')}",
        "value": {"confidenceScore": 1.0},
    },
]


def _lineage(client: TestClient, urn: str) -> dict[str, Any]:
    found: dict[str, Any] = get(client, aspect_path(urn, "upstreamLineage"))["aspect"][LINEAGE]
    return found


def test_a_patch_adds_an_upstream_and_a_column_upstream_to_the_kept_lineage(
    client: TestClient,
) -> None:
    ingest(client, upstreams(WAREHOUSE, RAW))

    ingest(client, patch(WAREHOUSE, "upstreamLineage", DBT_SIBLING))

    assert _lineage(client, WAREHOUSE) == {
        "upstreams": [
            {"dataset": RAW, "type": "TRANSFORMED"},
            {
                "auditStamp": {"time": 0, "actor": "urn:li:corpuser:unknown"},
                "dataset": DBT,
                "type": "COPY",
            },
        ],
        "fineGrainedLineages": [
            {
                "upstreamType": "FIELD_SET",
                "upstreams": [field(DBT, "order_id")],
                "downstreamType": "FIELD",
                "downstreams": [field(WAREHOUSE, "order_id")],
                "confidenceScore": 1.0,
            }
        ],
    }
    relationships = get(
        client, f"/relationships?direction=OUTGOING&urn={WAREHOUSE}&types=List(DownstreamOf)"
    )
    assert sorted(r["entity"] for r in relationships["relationships"]) == sorted([RAW, DBT])


def test_a_patch_removes_an_upstream_and_the_same_patch_again_changes_nothing(
    client: TestClient,
) -> None:
    ingest(client, upstreams(WAREHOUSE, RAW, DBT))
    removal = patch(WAREHOUSE, "upstreamLineage", [{"op": "remove", "path": f"/upstreams/{RAW}"}])

    ingest(client, removal)
    ingest(client, removal)

    assert _lineage(client, WAREHOUSE)["upstreams"] == [{"dataset": DBT, "type": "TRANSFORMED"}]


def test_a_patch_of_a_table_never_seen_starts_its_lineage_in_one_batch_with_the_rest(
    client: TestClient,
) -> None:
    """As the file sink writes it (operations as JSON), in a batch as the REST sink sends."""
    as_file = {
        "entityType": "dataset",
        "entityUrn": WAREHOUSE,
        "changeType": "PATCH",
        "aspectName": "upstreamLineage",
        "aspect": {"json": DBT_SIBLING[:1]},
    }

    ingest(client, upstreams(DBT, RAW), as_file)

    assert [u["dataset"] for u in _lineage(client, WAREHOUSE)["upstreams"]] == [DBT]


def test_a_patch_of_an_aspect_dataflare_does_not_use_is_ignored(client: TestClient) -> None:
    kinds = [{"op": "add", "path": "/typeNames/Table", "value": {}}]

    ingest(client, patch(WAREHOUSE, "subTypes", kinds))

    get(client, aspect_path(WAREHOUSE, "subTypes"), status=404)


def test_a_patch_of_tags_adds_and_removes_them_by_urn(client: TestClient) -> None:
    def tag(op: str, urn: str) -> dict[str, Any]:
        return {"op": op, "path": f"/tags/{urn}", "value": {"tag": urn}}

    ingest(
        client,
        patch(
            WAREHOUSE, "globalTags", [tag("add", "urn:li:tag:pii"), tag("add", "urn:li:tag:raw")]
        ),
    )
    ingest(client, patch(WAREHOUSE, "globalTags", [tag("remove", "urn:li:tag:raw")]))

    kept = get(client, aspect_path(WAREHOUSE, "globalTags"))
    assert kept["aspect"]["com.linkedin.common.GlobalTags"] == {"tags": [{"tag": "urn:li:tag:pii"}]}
    bad = patch(WAREHOUSE, "globalTags", [{"op": "add", "path": "/tags", "value": {}}])
    response = client.post(BATCH, json={"proposals": [bad]}, headers=AUTH)
    assert response.status_code == 400 and "is not a tag (/tags/<urn>)" in response.text


@pytest.mark.parametrize(
    ("proposal", "named"),
    [
        (
            patch(WAREHOUSE, "ownership", [{"op": "add", "path": "/owners/x", "value": {}}]),
            "PATCH of ownership is not supported",
        ),
        (
            patch(WAREHOUSE, "upstreamLineage", [{"op": "move", "path": "/upstreams/x"}]),
            "proposals[1].aspect[0].op",
        ),
        (patch(WAREHOUSE, "upstreamLineage", {"op": "add"}), "proposals[1].aspect"),
        (
            patch(WAREHOUSE, "upstreamLineage", [{"op": "add", "path": "/upstreams", "value": {}}]),
            "is not an upstream",
        ),
        (
            patch(WAREHOUSE, "upstreamLineage", [{"op": "add", "path": f"/upstreams/{RAW}"}]),
            "proposals[1].aspect[0].value",
        ),
        (
            {
                **patch(WAREHOUSE, "upstreamLineage", []),
                "aspect": {"value": "[]", "contentType": "application/json"},
            },
            "application/json-patch+json is required",
        ),
    ],
)
def test_a_patch_dataflare_cannot_apply_fails_the_batch_naming_it(
    client: TestClient, proposal: dict[str, Any], named: str
) -> None:
    response = client.post(
        BATCH, json={"proposals": [ownership(DBT, "urn:li:corpuser:jdoe"), proposal]}, headers=AUTH
    )

    assert response.status_code == 400, response.text
    assert named in response.json()["message"]
    get(client, aspect_path(DBT, "ownership"), status=404)


def test_an_upsert_still_refuses_a_list(client: TestClient) -> None:
    response = client.post(
        BATCH,
        json={"proposals": [{**mcp(WAREHOUSE, "status", {}), "aspect": {"json": []}}]},
        headers=AUTH,
    )

    assert response.status_code == 400, response.text
    assert "proposals[0].aspect.json: must hold a JSON object" in response.json()["message"]
