"""Column lineage: the `fineGrainedLineages` of upstreamLineage and dataJobInputOutput link
columns to columns, walked like any lineage from a column, answered by GMS as `DownstreamOf`
between columns, replaced with the aspect that states it, and kept out of dataset lineage and
of searches that do not ask for columns."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from tests.catalog.documents import LINEAGE_SEARCH, SEARCH
from tests.conftest import GraphQL
from tests.ingest.mcps import AUTH, BATCH, dataset, ingest, mcp, properties
from tests.web.conftest import editor  # noqa: F401 (a fixture)

RAW = dataset("postgres", "raw.orders")
WAREHOUSE = dataset("snowflake", "warehouse.orders")
REPORT = dataset("snowflake", "reports.revenue")
FLOW = "urn:li:dataFlow:(airflow,nightly,prod)"
JOB = f"urn:li:dataJob:({FLOW},load)"


def column(dataset_urn: str, path: str) -> str:
    return f"urn:li:schemaField:({dataset_urn},{path})"


RAW_ID, RAW_AMOUNT = column(RAW, "id"), column(RAW, "amount")
TOTAL, LOADED_AT = column(WAREHOUSE, "total"), column(WAREHOUSE, "loaded_at")
REVENUE = column(REPORT, "revenue")

COLUMN_LINEAGE = """
query columnLineage($urn: String!, $direction: LineageDirection!) {
  entity(urn: $urn) {
    ... on SchemaFieldEntity {
      lineage(input: {direction: $direction}) {
        total relationships { type degree entity { urn type } }
      }
    }
  }
}
"""


def fine(upstreams: list[str], downstreams: list[str], kind: str = "FIELD_SET") -> dict[str, Any]:
    return {
        "upstreamType": kind,
        "upstreams": upstreams,
        "downstreamType": "FIELD" if len(downstreams) == 1 else "FIELD_SET",
        "downstreams": downstreams,
        "transformOperation": "SUM",
    }


def lineage(urn: str, upstream: str, *entries: dict[str, Any]) -> dict[str, Any]:
    value = {
        "upstreams": [{"dataset": upstream, "type": "TRANSFORMED"}],
        "fineGrainedLineages": list(entries),
    }
    return mcp(urn, "upstreamLineage", value)


@pytest.fixture
def columns(client: TestClient) -> None:
    """raw.id, raw.amount -> warehouse.total -> reports.revenue; warehouse.loaded_at comes from
    the raw table as a whole (upstreamType DATASET: no column edge)."""
    ingest(
        client,
        properties(RAW, "raw.orders"),
        properties(WAREHOUSE, "warehouse.orders"),
        properties(REPORT, "reports.revenue"),
        lineage(
            WAREHOUSE,
            RAW,
            fine([RAW_ID, RAW_AMOUNT], [TOTAL]),
            fine([RAW], [LOADED_AT], kind="DATASET"),
        ),
        lineage(REPORT, WAREHOUSE, fine([TOTAL], [REVENUE])),
    )


def lineage_search(gql: GraphQL, urn: str, direction: str, **given: Any) -> list[tuple[str, int]]:
    page = gql.data(LINEAGE_SEARCH, {"input": {"urn": urn, "direction": direction, **given}})
    results = page["searchAcrossLineage"]["searchResults"]
    return sorted((r["entity"]["urn"], r["degree"]) for r in results)


def relationships(client: TestClient, urn: str, direction: str) -> list[str]:
    path = f"/relationships?direction={direction}&urn={quote(urn, safe='')}"
    response = client.get(path + "&types=List(DownstreamOf)", headers=AUTH)
    assert response.status_code == 200, response.text
    return sorted(r["entity"] for r in response.json()["relationships"])


@pytest.mark.usefixtures("columns")
def test_a_columns_upstreams_are_found_through_every_hop(gql: GraphQL) -> None:
    assert lineage_search(gql, REVENUE, "UPSTREAM") == [
        (RAW_AMOUNT, 2),
        (RAW_ID, 2),
        (TOTAL, 1),
    ]
    assert lineage_search(gql, RAW_AMOUNT, "DOWNSTREAM") == sorted([(REVENUE, 2), (TOTAL, 1)])
    assert lineage_search(gql, LOADED_AT, "UPSTREAM") == []


@pytest.mark.usefixtures("columns")
def test_a_columns_lineage_field_lists_its_neighbour_columns(gql: GraphQL) -> None:
    found = gql.data(COLUMN_LINEAGE, {"urn": TOTAL, "direction": "UPSTREAM"})["entity"]["lineage"]

    assert found["total"] == 2
    assert sorted(r["entity"]["urn"] for r in found["relationships"]) == [RAW_AMOUNT, RAW_ID]
    assert {(r["entity"]["type"], r["degree"]) for r in found["relationships"]} == {
        ("SCHEMA_FIELD", 1)
    }


@pytest.mark.usefixtures("columns")
def test_dataset_lineage_stays_among_datasets(gql: GraphQL) -> None:
    assert lineage_search(gql, REPORT, "UPSTREAM") == sorted([(WAREHOUSE, 1), (RAW, 2)])
    assert lineage_search(gql, RAW, "DOWNSTREAM") == sorted([(WAREHOUSE, 1), (REPORT, 2)])


@pytest.mark.usefixtures("columns")
def test_gms_relates_columns_to_columns_and_datasets_to_datasets(client: TestClient) -> None:
    assert relationships(client, TOTAL, "OUTGOING") == [RAW_AMOUNT, RAW_ID]
    assert relationships(client, TOTAL, "INCOMING") == [REVENUE]
    assert relationships(client, WAREHOUSE, "OUTGOING") == [RAW]
    assert relationships(client, WAREHOUSE, "INCOMING") == [REPORT]


@pytest.mark.usefixtures("columns")
def test_restating_the_lineage_replaces_its_column_edges(client: TestClient, gql: GraphQL) -> None:
    ingest(client, lineage(WAREHOUSE, RAW, fine([RAW_AMOUNT], [LOADED_AT])))

    assert lineage_search(gql, TOTAL, "UPSTREAM") == []
    assert lineage_search(gql, LOADED_AT, "UPSTREAM") == [(RAW_AMOUNT, 1)]
    assert lineage_search(gql, REVENUE, "UPSTREAM") == [(TOTAL, 1)]


def test_a_jobs_column_lineage_links_its_inputs_columns_to_its_outputs(
    client: TestClient, gql: GraphQL
) -> None:
    value = {
        "inputDatasets": [RAW],
        "outputDatasets": [WAREHOUSE],
        "fineGrainedLineages": [fine([RAW_AMOUNT], [TOTAL])],
    }
    ingest(client, mcp(JOB, "dataJobInputOutput", value))

    assert lineage_search(gql, TOTAL, "UPSTREAM") == [(RAW_AMOUNT, 1)]
    assert lineage_search(gql, RAW, "DOWNSTREAM") == sorted([(JOB, 1), (WAREHOUSE, 2)])
    assert relationships(client, TOTAL, "OUTGOING") == [RAW_AMOUNT]
    assert relationships(client, JOB, "OUTGOING") == []


@pytest.mark.usefixtures("columns")
def test_a_search_finds_columns_only_when_it_names_their_type(gql: GraphQL) -> None:
    def urns(**given: Any) -> list[str]:
        page = gql.data(SEARCH, {"input": {"query": "*", **given}})["searchAcrossEntities"]
        types = next(f for f in page["facets"] if f["field"] == "_entityType")
        counted = sum(a["count"] for a in types["aggregations"])
        assert counted == page["total"], "the type facet counts what the total counts"
        return sorted(r["entity"]["urn"] for r in page["searchResults"])

    datasets = sorted([RAW, WAREHOUSE, REPORT])
    all_columns = sorted([RAW_ID, RAW_AMOUNT, TOTAL, REVENUE])  # loaded_at is in no edge
    assert urns() == datasets
    assert urns(query="revenue") == [REPORT]
    assert urns(types=["SCHEMA_FIELD"]) == all_columns
    assert urns(query="revenue", types=["SCHEMA_FIELD"]) == [REVENUE]
    by_type = [{"and": [{"field": "_entityType", "values": ["SCHEMA_FIELD", "DATASET"]}]}]
    assert urns(orFilters=by_type) == sorted(datasets + all_columns)
    on_snowflake = [{"and": [{"field": "platform", "values": ["urn:li:dataPlatform:snowflake"]}]}]
    assert urns(orFilters=on_snowflake) == sorted([WAREHOUSE, REPORT])


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        (fine([RAW_AMOUNT], [WAREHOUSE]), "fineGrainedLineages[0].downstreams"),
        (fine(["urn:li:chart:(looker,1)"], [TOTAL]), "fineGrainedLineages[0].upstreams"),
        (fine([RAW_AMOUNT], "not a list"), "fineGrainedLineages[0].downstreams"),  # type: ignore[arg-type]
        (
            fine(
                [column(RAW, f"c{i}") for i in range(101)],
                [column(WAREHOUSE, f"d{i}") for i in range(100)],
            ),
            "at most 10,000 column edges",
        ),
    ],
)
def test_malformed_column_lineage_is_a_400_naming_it_and_writes_nothing(
    client: TestClient, gql: GraphQL, entry: dict[str, Any], named: str
) -> None:
    ingest(client, lineage(WAREHOUSE, RAW))

    response = client.post(
        BATCH, json={"proposals": [lineage(WAREHOUSE, REPORT, entry)]}, headers=AUTH
    )

    assert response.status_code == 400, response.text
    assert named in response.json()["message"]
    assert lineage_search(gql, WAREHOUSE, "UPSTREAM") == [(RAW, 1)]


def test_the_column_page_shows_the_columns_it_comes_from(
    client: TestClient,
    editor: str,  # noqa: F811
) -> None:
    ingest(client, lineage(REPORT, WAREHOUSE, fine([TOTAL], [REVENUE])))

    page = client.get("/asset/" + quote(REVENUE, safe=""))

    assert page.status_code == 200
    upstream, downstream = page.text.split("<h2>Upstream</h2>", 1)[1].split("<h2>Downstream</h2>")
    assert quote(TOTAL, safe="") in upstream
    assert "Nothing downstream." in downstream
