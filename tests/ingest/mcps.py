"""Metadata proposals as DataHub writes them, and a helper that posts them to the app."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from tests.conftest import ADMIN_TOKEN

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
BATCH = "/aspects?action=ingestProposalBatch"
ONE = "/aspects?action=ingestProposal"
DELETE = "/entities?action=delete"


def dataset(platform: str, name: str) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:{platform},{name},PROD)"


def mcp(urn: str, aspect_name: str, value: dict[str, Any]) -> dict[str, Any]:
    """A proposal as the REST emitter sends it: the aspect as JSON text."""
    return {
        "entityType": urn.split(":")[2],
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": aspect_name,
        "aspect": {"value": json.dumps(value), "contentType": "application/json"},
    }


def file_mcp(urn: str, aspect_name: str, value: dict[str, Any]) -> dict[str, Any]:
    """A proposal as the file sink writes it: the aspect as a JSON object."""
    return {
        "entityType": urn.split(":")[2],
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": aspect_name,
        "aspect": {"json": value},
    }


def ownership(urn: str, *owners: str, kind: str = "TECHNICAL_OWNER") -> dict[str, Any]:
    return mcp(urn, "ownership", {"owners": [{"owner": o, "type": kind} for o in owners]})


def upstreams(urn: str, *sources: str) -> dict[str, Any]:
    return mcp(
        urn,
        "upstreamLineage",
        {"upstreams": [{"dataset": s, "type": "TRANSFORMED"} for s in sources]},
    )


def properties(urn: str, name: str, description: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"name": name, "customProperties": {}}
    if description is not None:
        value["description"] = description
    return mcp(urn, "datasetProperties", value)


def ingest(client: TestClient, *proposals: dict[str, Any]) -> None:
    """Post a batch that must be accepted."""
    response = client.post(BATCH, json={"proposals": list(proposals)}, headers=AUTH)
    assert response.status_code == 200, response.text
