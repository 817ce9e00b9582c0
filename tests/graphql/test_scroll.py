"""scrollAcrossEntities: searchAcrossEntities's results, page after page by nextScrollId."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import dataset, ingest, mcp, properties

SCROLL = """
query scroll($input: ScrollAcrossEntitiesInput!) {
  scrollAcrossEntities(input: $input) {
    nextScrollId count total
    searchResults { entity { urn } extraProperties { name value } }
  }
}
"""
NAMES = ["a", "b", "c", "d", "e"]
URNS = [dataset("hive", n) for n in NAMES]


def scroll_all(gql: GraphQL, given: dict[str, Any]) -> tuple[list[str], list[int]]:
    """Every urn, following nextScrollId; and the size of each page."""
    urns: list[str] = []
    sizes: list[int] = []
    scroll_id = None
    while True:
        page = gql.data(SCROLL, {"input": {**given, "scrollId": scroll_id}})["scrollAcrossEntities"]
        urns += [r["entity"]["urn"] for r in page["searchResults"]]
        sizes.append(page["count"])
        assert all(r["extraProperties"] == [] for r in page["searchResults"])
        scroll_id = page["nextScrollId"]
        if scroll_id is None:
            return urns, sizes


@pytest.fixture
def assets(client: TestClient) -> None:
    ingest(client, *(properties(u, n) for u, n in zip(URNS, NAMES, strict=True)))
    ingest(client, mcp(URNS[4], "status", {"removed": True}))


@pytest.mark.usefixtures("assets")
def test_pages_follow_one_another_to_the_end(gql: GraphQL) -> None:
    urns, sizes = scroll_all(gql, {"query": "*", "count": 2, "types": ["DATASET"]})
    assert urns == URNS[:4]
    assert sizes == [2, 2]


@pytest.mark.usefixtures("assets")
def test_soft_deleted_assets_come_when_asked_for(gql: GraphQL) -> None:
    flags = {"includeSoftDeleted": True, "skipAggregates": True, "skipHighlighting": True}
    urns, _ = scroll_all(gql, {"query": "*", "count": 3, "searchFlags": flags})
    assert urns == URNS
    only = [{"and": [{"field": "removed", "values": ["true"]}]}]
    assert scroll_all(gql, {"query": "*", "orFilters": only})[0] == [URNS[4]]
    # what the DataHub SDK sends by default: "not removed", with the platform's own field name
    sdk = [
        {
            "and": [
                {"field": "platform.keyword", "values": ["urn:li:dataPlatform:hive"]},
                {"field": "removed", "values": ["true"], "negated": True},
            ]
        }
    ]
    assert scroll_all(gql, {"query": "*", "orFilters": sdk, "count": 10})[0] == URNS[:4]


def test_incidents_scroll_too(gql: GraphQL) -> None:
    raised = [
        gql.data(RAISE, {"input": {"type": "VOLUME", "resourceUrn": URNS[0], "title": f"t{i}"}})
        for i in range(3)
    ]
    urns, sizes = scroll_all(gql, {"query": "*", "count": 2, "types": ["INCIDENT"]})
    assert sorted(urns) == sorted(r["raiseIncident"] for r in raised)
    assert sizes == [2, 1]


@pytest.mark.parametrize("scroll_id", ["nonsense", "eyJ2IjoyLCJzdGFydCI6MH0", "W10", "x" * 300])
def test_a_scroll_id_this_server_did_not_give_is_a_400(gql: GraphQL, scroll_id: str) -> None:
    error = gql.error(SCROLL, {"input": {"query": "*", "scrollId": scroll_id}})
    assert error["extensions"]["code"] == 400
    assert error["message"].startswith("scrollId: not one this server gave")
