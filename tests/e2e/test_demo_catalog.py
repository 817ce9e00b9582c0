"""`make run`'s demo (`dataflare serve --demo`) serves the catalog and the incident history
that dataflare/ingest/demo/ describes (tests/ingest/test_demo.py checks the history in depth)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataflare.ingest import demo
from tests.catalog.documents import LINEAGE_SEARCH, SEARCH
from tests.e2e.server import Server, dataflare_env

ACTIVE = [{"and": [{"field": "hasActiveIncidents", "values": ["true"]}]}]
# Airflow counts its flows and their jobs; dbt its staging models, Snowflake the marts.
INCIDENT_SEARCH = """
query incidents($input: SearchAcrossEntitiesInput!) {
  searchAcrossEntities(input: $input) {
    total
    searchResults { entity { urn ... on Incident { created { time } } } }
    facets { field aggregations { value count } }
  }
}
"""
PLATFORMS = {
    "airflow": 88,
    "dbt": 36,
    "looker": 34,
    "snowflake": 32,
    "postgres": 22,
    "s3": 22,
    "tableau": 19,
    "kafka": 16,
    "hive": 14,
}


@pytest.fixture
def demo_server(database_url: str, tmp_path: Path) -> Iterator[tuple[Server, str]]:
    """A server started as `make run` starts it, and the token it printed."""
    server = Server(dataflare_env(tmp_path, database_url), "--demo")
    try:
        server.wait_ready()
        assert server.process.stdout is not None
        for line in server.process.stdout:
            if "access token:" in line:
                yield server, line.split("access token:")[1].split()[0]
                break
    finally:
        server.stop()


def ask(server: Server, token: str, query: str, variables: dict[str, Any]) -> Any:
    body = httpx.post(
        f"{server.url}/api/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert "errors" not in body, body
    return body["data"]


def test_the_demo_catalog_spans_the_platforms_of_a_company(
    demo_server: tuple[Server, str],
) -> None:
    server, token = demo_server

    page = ask(server, token, SEARCH, {"input": {"query": "*", "count": 10}})

    assert page["searchAcrossEntities"]["total"] == 283
    facets = {f["field"]: f["aggregations"] for f in page["searchAcrossEntities"]["facets"]}
    platforms = {a["value"].rsplit(":", 1)[-1]: a["count"] for a in facets["platform"]}
    assert platforms == PLATFORMS
    kinds = {a["value"]: a["count"] for a in facets["_entityType"]}
    assert kinds == {"DATASET": 142, "DATA_JOB": 77, "DATA_FLOW": 11, "CHART": 39, "DASHBOARD": 14}


def test_the_demo_assets_with_active_incidents_are_found_by_the_filter(
    demo_server: tuple[Server, str],
) -> None:
    server, token = demo_server

    page = ask(server, token, SEARCH, {"input": {"query": "*", "count": 100, "orFilters": ACTIVE}})

    found = {r["entity"]["urn"] for r in page["searchAcrossEntities"]["searchResults"]}
    assert {demo.ORDERS, demo.LOAD, demo.REVENUE, demo.DASHBOARD} <= found
    assert demo.CUSTOMERS not in found and demo.KAFKA not in found
    assert 20 <= page["searchAcrossEntities"]["total"] <= 60


def test_the_dashboards_upstream_lineage_reaches_the_kafka_topic(
    demo_server: tuple[Server, str],
) -> None:
    server, token = demo_server

    page = ask(
        server,
        token,
        LINEAGE_SEARCH,
        {"input": {"urn": demo.DASHBOARD, "direction": "UPSTREAM", "count": 100}},
    )["searchAcrossLineage"]

    degrees = {r["entity"]["urn"]: r["degree"] for r in page["searchResults"]}
    assert degrees[demo.REVENUE_CHART] == 1
    assert degrees[demo.ORDERS] == 2
    assert degrees[demo.ORDER_EVENTS] == 3
    broken = ask(
        server,
        token,
        LINEAGE_SEARCH,
        {"input": {"urn": demo.DASHBOARD, "direction": "UPSTREAM", "orFilters": ACTIVE}},
    )["searchAcrossLineage"]
    assert {r["entity"]["urn"] for r in broken["searchResults"]} == {
        demo.ORDERS,
        demo.REVENUE,
        demo.LOAD,
    }


def test_a_marts_lineage_runs_from_its_sources_to_its_dashboards(
    demo_server: tuple[Server, str],
) -> None:
    server, token = demo_server
    mart = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.marts.fct_payments,PROD)"

    up, down = (
        ask(
            server,
            token,
            LINEAGE_SEARCH,
            {"input": {"urn": mart, "direction": direction, "count": 100}},
        )["searchAcrossLineage"]
        for direction in ("UPSTREAM", "DOWNSTREAM")
    )

    upstream = {r["entity"]["urn"]: r["degree"] for r in up["searchResults"]}
    assert (
        upstream[
            "urn:li:dataJob:(urn:li:dataFlow:(airflow,payments_pipeline,prod),build_fct_payments)"
        ]
        == 1
    )
    transactions = "urn:li:dataset:(urn:li:dataPlatform:kafka,payments.transactions,PROD)"
    assert upstream[transactions] == 3  # staging model, raw copy, topic (and a job beside each)
    downstream = {r["entity"]["urn"]: r["degree"] for r in down["searchResults"]}
    assert downstream["urn:li:dashboard:(looker,dashboards.13)"] >= 2  # Payments overview


def test_the_incident_history_is_searchable_and_spans_90_days(
    demo_server: tuple[Server, str],
) -> None:
    server, token = demo_server
    search = {"query": "*", "types": ["INCIDENT"], "count": 1}

    page = ask(server, token, INCIDENT_SEARCH, {"input": search})["searchAcrossEntities"]

    assert 300 <= page["total"] <= 500
    facets = {f["field"]: f["aggregations"] for f in page["facets"]}
    assert {a["value"] for a in facets["state"]} == {"ACTIVE", "RESOLVED"}
    assert len(facets["type"]) == 7 and len(facets["priority"]) >= 4
    oldest = ask(server, token, INCIDENT_SEARCH, {"input": {**search, "start": page["total"] - 1}})[
        "searchAcrossEntities"
    ]["searchResults"][0]["entity"]
    newest = page["searchResults"][0]["entity"]
    days = (newest["created"]["time"] - oldest["created"]["time"]) / 86_400_000
    assert 89 <= days <= 90
