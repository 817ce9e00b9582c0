"""A small catalog for the fuzzer to aim at: assets with names, owners and lineage, incidents in
each state, a user and a token. Its URNs go into the generated documents, so some of them reach
real rows instead of stopping at "not found"."""

from __future__ import annotations

from typing import Any

import httpx
import httpx2

from tests.conftest import ADMIN_TOKEN
from tests.fuzz.documents import Known
from tests.graphql.documents import CHART, DASHBOARD, FLOW, JOB, KAFKA, RAISE, UPDATE_STATUS
from tests.ingest.mcps import BATCH, dataset, mcp, ownership, properties, upstreams

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
HIVE = dataset("hive", "analytics.orders")
ASSETS = [KAFKA, HIVE, CHART, DASHBOARD, FLOW, JOB]
ALICE = "urn:li:corpuser:alice"
ACTORS = [ALICE, "urn:li:corpuser:datahub", "urn:li:corpGroup:data-eng"]
INCIDENTS = [f"urn:li:incident:fuzz-{n}" for n in range(1, 5)]
ROLES = [f"urn:li:dataHubRole:{role}" for role in ("Admin", "Editor", "Reader")]
DEDUP_KEY = "freshness-check"

CREATE_USER = """
mutation user($input: CreateUserInput!) { createUser(input: $input) { urn } }
"""
CREATE_TOKEN = """
mutation token($input: CreateAccessTokenInput!) {
  createAccessToken(input: $input) { metadata { id urn } }
}
"""


def seed(client: httpx.Client | httpx2.Client) -> Known:
    """Fill the catalog through the API, as the admin; returns the URNs and ids it made."""
    _post(client, BATCH, {"proposals": _metadata()})
    _graphql(client, CREATE_USER, {"input": {"username": "alice", "role": "Editor"}})
    for n, (urn, asset) in enumerate(zip(INCIDENTS, ASSETS, strict=False), start=1):
        raised = {
            "id": urn.rsplit(":", 1)[1],
            "type": "CUSTOM" if n == 4 else "OPERATIONAL",
            "customType": "Freshness" if n == 4 else None,
            "title": f"Incident {n}",
            "resourceUrns": [asset, KAFKA] if n == 2 else [asset],
            "assigneeUrns": ACTORS[: n % 3],
            "priority": ["LOW", "MEDIUM", "HIGH", "CRITICAL"][n - 1],
            "dedupKey": DEDUP_KEY if n == 3 else None,
        }
        _graphql(client, RAISE, {"input": raised})
    resolved = {"state": "RESOLVED", "stage": "FIXED", "message": "done"}
    _graphql(client, UPDATE_STATUS, {"urn": INCIDENTS[0], "input": resolved})
    token = _graphql(
        client,
        CREATE_TOKEN,
        {"input": {"type": "PERSONAL", "actorUrn": ALICE, "duration": "ONE_DAY", "name": "ci"}},
    )["createAccessToken"]["metadata"]
    return Known(
        assets=tuple(ASSETS),
        actors=tuple(ACTORS),
        incidents=tuple(INCIDENTS),
        roles=tuple(ROLES),
        tokens=(token["id"], token["urn"]),
        words=(DEDUP_KEY, "SampleKafkaDataset", "orders", "kafka", "hive", "alice", "Sales"),
    )


def _metadata() -> list[dict[str, Any]]:
    return [
        properties(KAFKA, "SampleKafkaDataset", "Orders as they arrive"),
        properties(HIVE, "orders"),
        mcp(CHART, "chartInfo", {"title": "Orders per day", "inputs": [HIVE]}),
        mcp(DASHBOARD, "dashboardInfo", {"title": "Sales", "charts": [CHART]}),
        mcp(FLOW, "dataFlowInfo", {"name": "daily_sales"}),
        mcp(JOB, "dataJobInputOutput", {"inputDatasets": [KAFKA], "outputDatasets": [HIVE]}),
        upstreams(HIVE, KAFKA),
        ownership(KAFKA, ALICE, "urn:li:corpGroup:data-eng"),
        mcp(ALICE, "corpUserInfo", {"displayName": "Alice", "email": "alice@example.com"}),
    ]


def _post(client: httpx.Client | httpx2.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers=AUTH)
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def _graphql(
    client: httpx.Client | httpx2.Client, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    body = _post(client, "/api/graphql", {"query": query, "variables": variables})
    if body.get("errors"):
        raise RuntimeError(f"seeding failed: {body['errors']}")
    data: dict[str, Any] = body["data"]
    return data
