"""Soft delete of an incident: a `status` aspect with removed: true hides it from its assets'
lists and health and from incident search, keeps it readable, and removed: false restores it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.testclient import TestClient

from tests.conftest import GraphQL
from tests.graphql.documents import HEALTH, RAISE
from tests.ingest.mcps import AUTH, BATCH, DELETE, dataset, ingest, mcp

ORDERS = dataset("snowflake", "orders")
LIST = """
query list($urn: String!) {
  dataset(urn: $urn) {
    all: incidents(start: 0, count: 10) { total incidents { urn } }
    active: incidents(state: ACTIVE, start: 0, count: 10) { total incidents { urn } }
  }
}
"""
SEARCH = """
query search($filters: [AndFilterInput!]) {
  searchAcrossEntities(input: {types: [INCIDENT], query: "*", orFilters: $filters}) {
    total searchResults { entity { urn } }
  }
}
"""
ACTIVITY = """
query activity($urn: String!) {
  entity(urn: $urn) { ... on Incident { urn activity { kind via newValue } } }
}
"""
RESOLVE = """
mutation resolve($urn: String!) { updateIncidentStatus(urn: $urn, input: {state: RESOLVED}) }
"""


def raise_on(gql: GraphQL, **fields: Any) -> str:
    given = {"type": "OPERATIONAL", "resourceUrn": ORDERS, **fields}
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


def removed(urn: str, flag: bool = True) -> dict[str, Any]:
    return mcp(urn, "status", {"removed": flag})


def listed(gql: GraphQL) -> dict[str, Any]:
    found = gql.data(LIST, {"urn": ORDERS})["dataset"]
    return {k: (v["total"], [i["urn"] for i in v["incidents"]]) for k, v in found.items()}


def latest(gql: GraphQL) -> Any:
    health = gql.data(HEALTH, {"urn": ORDERS})["entity"]["health"][0]
    return health["message"], (health["activeIncidentHealthDetails"] or {}).get("latestIncidentUrn")


def test_a_removed_incident_leaves_lists_search_and_health_and_comes_back(
    client: TestClient, gql: GraphQL
) -> None:
    older, newer = raise_on(gql), raise_on(gql)

    ingest(client, removed(newer))

    assert listed(gql) == {"all": (1, [older]), "active": (1, [older])}
    assert latest(gql) == ("1 active incident", older)
    searched = gql.data(SEARCH)["searchAcrossEntities"]
    assert [r["entity"]["urn"] for r in searched["searchResults"]] == [older]
    only = [{"and": [{"field": "removed", "values": ["true"]}]}]
    searched = gql.data(SEARCH, {"filters": only})["searchAcrossEntities"]
    assert [r["entity"]["urn"] for r in searched["searchResults"]] == [newer]
    entry = gql.data(ACTIVITY, {"urn": newer})["entity"]["activity"][-1]
    assert entry == {"kind": "REMOVED", "via": "METADATA", "newValue": "true"}
    path = f"/aspects/{quote(newer, safe='')}?aspect=status&version=0"
    served = client.get(path, headers=AUTH).json()["aspect"]
    assert served == {"com.linkedin.common.Status": {"removed": True}}

    ingest(client, removed(newer, False))

    assert listed(gql) == {"all": (2, [newer, older]), "active": (2, [newer, older])}
    assert latest(gql) == ("2 active incidents", newer)


def test_a_removed_incident_is_not_changed_until_restored(client: TestClient, gql: GraphQL) -> None:
    urn = raise_on(gql)
    ingest(client, removed(urn))
    ingest(client, removed(urn))  # the same again: nothing more

    error = gql.error(RESOLVE, {"urn": urn})

    assert error["extensions"]["code"] == 409
    assert "is removed (soft-deleted): restore it first" in error["message"]
    kinds = [e["kind"] for e in gql.data(ACTIVITY, {"urn": urn})["entity"]["activity"]]
    assert kinds == ["RAISED", "REMOVED"]


def test_restoring_is_refused_while_its_dedup_key_is_taken(
    client: TestClient, gql: GraphQL
) -> None:
    first = raise_on(gql, dedupKey="late")
    ingest(client, removed(first))
    second = raise_on(gql, dedupKey="late")  # the key is free while the first is removed
    assert second != first

    response = client.post(BATCH, json={"proposals": [removed(first, False)]}, headers=AUTH)

    assert response.status_code == 409
    assert "already active with dedup key 'late'" in response.json()["message"]
    assert listed(gql)["all"] == (1, [second])


def test_a_removed_incident_deleted_for_good_leaves_the_counts_right(
    client: TestClient, gql: GraphQL
) -> None:
    kept, gone = raise_on(gql), raise_on(gql)
    ingest(client, removed(gone))

    assert client.post(DELETE, json={"urn": gone}, headers=AUTH).status_code == 200

    assert listed(gql) == {"all": (1, [kept]), "active": (1, [kept])}
    assert latest(gql) == ("1 active incident", kept)
