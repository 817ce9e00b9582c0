"""Columns (schemaField): an incident raised on one is on its dataset too, so the dataset's page
names the column, and its health, search filter and incident list count it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.catalog.documents import SEARCH
from tests.conftest import GraphQL
from tests.graphql.documents import INCIDENT, RAISE, UPDATE
from tests.ingest.mcps import AUTH, dataset, ingest, mcp, ownership, properties
from tests.web.conftest import editor  # noqa: F401 (a fixture)

ORDERS = dataset("snowflake", "orders")
AMOUNT = f"urn:li:schemaField:({ORDERS},amount)"
STATUS = f"urn:li:schemaField:({ORDERS},status)"
JDOE = "urn:li:corpuser:jdoe"

COLUMN = """
query c($urn: String!) {
  entity(urn: $urn) {
    urn type
    ... on SchemaFieldEntity {
      name fieldPath platform { name } properties { name }
      parent { urn name }
      ownership { owners { owner { ... on CorpUser { urn } } } }
      health { status message }
      incidents { total incidents { title } }
    }
  }
}
"""
DATASET = """
query d($urn: String!) {
  dataset(urn: $urn) {
    health { status message }
    incidents(state: ACTIVE) { total incidents { title entities { urn type } } }
  }
}
"""


def _raise(gql: GraphQL, *urns: str, title: str = "Negative amounts") -> str:
    given = {"type": "FIELD", "resourceUrns": list(urns), "title": title}
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


def test_an_incident_on_a_column_is_on_its_dataset_too(client: TestClient, gql: GraphQL) -> None:
    ingest(client, properties(ORDERS, "orders"), mcp(AMOUNT, "schemafieldInfo", {"name": "Amount"}))
    ingest(client, ownership(AMOUNT, JDOE))
    _raise(gql, AMOUNT)

    column = gql.data(COLUMN, {"urn": AMOUNT})["entity"]
    assert column["type"] == "SCHEMA_FIELD"
    assert (column["fieldPath"], column["platform"]["name"]) == ("amount", "snowflake")
    assert column["properties"] == {"name": "Amount"}
    assert column["parent"] == {"urn": ORDERS, "name": "orders"}
    assert column["ownership"]["owners"] == [{"owner": {"urn": JDOE}}]
    assert column["health"][0] == {"status": "FAIL", "message": "1 active incident"}
    assert column["incidents"]["total"] == 1

    orders = gql.data(DATASET, {"urn": ORDERS})["dataset"]
    assert orders["health"][0] == {"status": "FAIL", "message": "1 active incident"}
    [incident] = orders["incidents"]["incidents"]
    assert incident["entities"] == [
        {"urn": AMOUNT, "type": "SCHEMA_FIELD"},
        {"urn": ORDERS, "type": "DATASET"},
    ]
    broken = [{"and": [{"field": "hasActiveIncidents", "values": ["true"]}]}]
    for types, expected in (([], [ORDERS]), (["DATASET", "SCHEMA_FIELD"], [AMOUNT, ORDERS])):
        given = {"query": "*", "orFilters": broken, "types": types}
        page = gql.data(SEARCH, {"input": given})["searchAcrossEntities"]
        assert sorted(r["entity"]["urn"] for r in page["searchResults"]) == sorted(expected)


def test_a_columns_dataset_stays_linked_through_updates_and_metadata(
    client: TestClient, gql: GraphQL
) -> None:
    urn = _raise(gql, AMOUNT)
    gql.data(UPDATE, {"urn": urn, "input": {"resourceUrns": [STATUS]}})
    entities = [e["urn"] for e in gql.data(INCIDENT, {"urn": urn})["entity"]["entities"]]
    assert entities == [STATUS, ORDERS]

    sent = "urn:li:incident:column-check"
    info = {"type": "FIELD", "entities": [AMOUNT], "status": {"state": "ACTIVE"}}
    ingest(client, mcp(sent, "incidentInfo", info))
    entities = [e["urn"] for e in gql.data(INCIDENT, {"urn": sent})["entity"]["entities"]]
    assert entities == [AMOUNT, ORDERS]
    assert gql.data(DATASET, {"urn": ORDERS})["dataset"]["incidents"]["total"] == 2


def test_a_malformed_column_urn_is_a_400_naming_the_shape(gql: GraphQL) -> None:
    for bad in ("urn:li:schemaField:(orders,amount)", "urn:li:schemaField:(urn:li:chart:(a,b),x)"):
        error: Any = gql.error(RAISE, {"input": {"type": "FIELD", "resourceUrn": bad}})
        assert "urn:li:schemaField:(<dataset urn>,<fieldPath>)" in error["message"], bad
        assert error["extensions"]["code"] == 400


def test_gms_answers_a_columns_key(client: TestClient, gql: GraphQL) -> None:
    _raise(gql, AMOUNT)
    key = client.get(
        f"/aspects/{quote(AMOUNT, safe='')}?aspect=schemaFieldKey&version=0", headers=AUTH
    )

    assert key.status_code == 200
    assert key.json()["aspect"]["com.linkedin.metadata.key.SchemaFieldKey"] == {
        "parent": ORDERS,
        "fieldPath": "amount",
    }


def test_the_datasets_page_names_the_column_of_an_incident(
    client: TestClient,
    gql: GraphQL,
    db: Database,
    editor: str,  # noqa: F811
) -> None:
    _raise(gql, AMOUNT, STATUS)
    _raise(gql, ORDERS, title="Late load")

    page = client.get("/asset/" + quote(ORDERS, safe="") + "?tab=incidents")

    assert page.status_code == 200
    rows = page.text.split('data-testid="incident"')[1:]
    named = [r for r in rows if "Negative amounts" in r]
    assert len(named) == 1 and "<dt>Columns</dt>" in named[0]
    assert "<code>amount</code>" in named[0] and "<code>status</code>" in named[0]
    assert "<dt>Column" not in next(r for r in rows if "Late load" in r)
    column = client.get("/asset/" + quote(AMOUNT, safe=""))
    assert (
        column.status_code == 200 and "Column" in column.text and "Negative amounts" in column.text
    )
