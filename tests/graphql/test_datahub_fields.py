"""The fields DataHub's own clients ask of entities beyond Dataflare's: `privileges`,
`relationships`, `siblings`/`siblingsSearch` and an incident's `tags`."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.access.helpers import user_with_token
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import AUTH, BATCH, dataset, ingest, mcp, ownership

ORDERS = dataset("snowflake", "orders")
DAILY = dataset("snowflake", "daily_orders")
CHART = "urn:li:chart:(looker,look.1)"
JDOE = "urn:li:corpuser:jdoe"

PRIVILEGES = """
query p($urn: String!) {
  dataset(urn: $urn) { privileges { canEditIncidents } siblings { isPrimary } }
  chart(urn: "urn:li:chart:(looker,look.1)") { privileges { canEditIncidents } }
}
"""

RELATIONSHIPS = """
query r($urn: String!, $types: [String!]!, $direction: RelationshipDirection!, $count: Int) {
  entity(urn: $urn) {
    ... on Dataset { relationships(input: {types: $types, direction: $direction, count: $count}) {
      ...page } }
    ... on Incident { relationships(input: {types: $types, direction: $direction}) { ...page } }
    ... on CorpUser { relationships(input: {types: $types, direction: $direction}) { ...page } }
  }
}
fragment page on EntityRelationshipsResult {
  start count total
  relationships {
    type direction created { time }
    entity {
      urn type
      ... on Dataset { name health { type status } }
      ... on Incident { title }
      ... on CorpUser { username }
    }
  }
}
"""

TAGS = """
query t($urn: String!) {
  entity(urn: $urn) {
    ... on Incident { tags { tags { associatedUrn tag { urn type name properties { name } } } } }
  }
}
"""


def _related(gql: GraphQL, urn: str, types: list[str], direction: str, **more: Any) -> Any:
    variables = {"urn": urn, "types": types, "direction": direction, **more}
    return gql.data(RELATIONSHIPS, variables)["entity"]["relationships"]


def test_can_edit_incidents_follows_the_same_rule_as_raising(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    ingest(
        client, ownership(ORDERS, "urn:li:corpuser:owner"), mcp(CHART, "chartInfo", {"title": "c"})
    )
    owner = user_with_token(db, "owner", "Reader")
    reader = user_with_token(db, "someone", "Reader")

    assert gql.data(PRIVILEGES, {"urn": ORDERS}) == {
        "dataset": {"privileges": {"canEditIncidents": True}, "siblings": None},
        "chart": {"privileges": {"canEditIncidents": True}},
    }
    as_owner = gql.data(PRIVILEGES, {"urn": ORDERS}, token=owner)
    assert as_owner["dataset"]["privileges"] == {"canEditIncidents": True}
    assert as_owner["chart"]["privileges"] == {"canEditIncidents": False}
    as_reader = gql.data(PRIVILEGES, {"urn": ORDERS}, token=reader)
    assert as_reader["dataset"]["privileges"] == {"canEditIncidents": False}
    # What the field says is what raising does.
    refused = gql.error(RAISE, {"input": {"type": "SQL", "resourceUrn": ORDERS}}, token=reader)
    assert "Unauthorized" in refused["message"]
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ORDERS}}, token=owner)


def test_relationships_read_lineage_ownership_and_incidents_both_ways(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(
        client,
        ownership(ORDERS, JDOE),
        mcp(DAILY, "upstreamLineage", {"upstreams": [{"dataset": ORDERS, "type": "TRANSFORMED"}]}),
    )
    incident = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ORDERS, "title": "t"}})[
        "raiseIncident"
    ]

    down = _related(gql, ORDERS, ["DownstreamOf"], "INCOMING")
    assert (down["start"], down["count"], down["total"]) == (0, 1, 1)
    [edge] = down["relationships"]
    assert edge["type"] == "DownstreamOf" and edge["direction"] == "INCOMING"
    assert edge["created"] is None
    assert edge["entity"]["urn"] == DAILY and edge["entity"]["name"] == "daily_orders"
    assert edge["entity"]["health"][0]["type"] == "INCIDENTS"

    owned = _related(gql, ORDERS, ["OwnedBy", "IncidentOn"], "OUTGOING")["relationships"]
    assert [(r["type"], r["entity"]["urn"]) for r in owned] == [("OwnedBy", JDOE)]
    assert owned[0]["entity"]["username"] == "jdoe"

    on = _related(gql, ORDERS, ["IncidentOn"], "INCOMING")["relationships"]
    assert [(r["entity"]["urn"], r["entity"]["title"]) for r in on] == [(incident, "t")]
    back = _related(gql, incident, ["IncidentOn"], "OUTGOING")["relationships"]
    assert [r["entity"]["urn"] for r in back] == [ORDERS]
    owns = _related(gql, JDOE, ["OwnedBy"], "INCOMING")["relationships"]
    assert [r["entity"]["urn"] for r in owns] == [ORDERS]
    assert _related(gql, ORDERS, ["IsPartOf"], "OUTGOING")["total"] == 0


def test_relationships_page_and_refuse_a_bad_page(client: TestClient, gql: GraphQL) -> None:
    downstream = [dataset("snowflake", f"copy_{i}") for i in range(3)]
    ingest(
        client,
        *(mcp(d, "upstreamLineage", {"upstreams": [{"dataset": ORDERS}]}) for d in downstream),
    )
    page = _related(gql, ORDERS, ["DownstreamOf"], "INCOMING", count=2)
    assert (page["count"], page["total"]) == (2, 3)

    clamped = _related(gql, ORDERS, ["DownstreamOf"], "INCOMING", count=5000)
    assert (clamped["count"], clamped["total"]) == (3, 3)  # a large page is clamped, as others
    error = gql.error(
        RELATIONSHIPS,
        {"urn": ORDERS, "types": ["DownstreamOf"], "direction": "INCOMING", "count": -1},
    )
    assert "start and count must be >= 0" in error["message"]
    assert error["extensions"]["code"] == 400
    none = gql.error(RELATIONSHIPS, {"urn": ORDERS, "types": [], "direction": "INCOMING"})
    assert "relationship types are required" in none["message"]


def test_an_incident_shows_the_tags_sent_for_it_and_null_without(
    client: TestClient, gql: GraphQL
) -> None:
    tagged = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ORDERS}})["raiseIncident"]
    plain = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": DAILY}})["raiseIncident"]
    tags = {"tags": [{"tag": "urn:li:tag:pii"}, {"tag": "urn:li:tag:Legacy"}]}
    ingest(client, mcp(tagged, "globalTags", tags))

    shown = gql.data(TAGS, {"urn": tagged})["entity"]["tags"]["tags"]
    assert shown == [
        {
            "associatedUrn": tagged,
            "tag": {"urn": "urn:li:tag:pii", "type": "TAG", "name": "pii", "properties": None},
        },
        {
            "associatedUrn": tagged,
            "tag": {
                "urn": "urn:li:tag:Legacy",
                "type": "TAG",
                "name": "Legacy",
                "properties": None,
            },
        },
    ]
    assert gql.data(TAGS, {"urn": plain})["entity"]["tags"] is None

    bad = mcp(tagged, "globalTags", {"tags": [{"tag": "pii"}]})
    response = client.post(BATCH, json={"proposals": [bad]}, headers=AUTH)
    assert response.status_code == 400
    assert "aspect.tags[0].tag: a tag URN is required" in response.text
    assert len(gql.data(TAGS, {"urn": tagged})["entity"]["tags"]["tags"]) == 2  # kept as it was


def test_a_deleted_incident_takes_its_tags_with_it(client: TestClient, gql: GraphQL) -> None:
    urn = "urn:li:incident:monte-carlo-1"
    info = {"type": "FRESHNESS", "entities": [ORDERS], "status": {"state": "ACTIVE"}}
    ingest(client, mcp(urn, "incidentInfo", info))
    ingest(client, mcp(urn, "globalTags", {"tags": [{"tag": "urn:li:tag:pii"}]}))
    assert gql.data(TAGS, {"urn": urn})["entity"]["tags"] is not None
    deleted = client.post("/entities?action=delete", json={"urn": urn}, headers=AUTH)
    assert deleted.status_code == 200, deleted.text

    ingest(client, mcp(urn, "incidentInfo", info))  # the same incident sent again, anew
    assert gql.data(TAGS, {"urn": urn})["entity"]["tags"] is None
