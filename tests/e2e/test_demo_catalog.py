"""`make run`'s demo (`dataflare serve --demo`) serves the catalog demo.py describes."""

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


def test_the_demo_assets_with_active_incidents_are_found_by_the_filter(
    demo_server: tuple[Server, str],
) -> None:
    server, token = demo_server

    page = ask(server, token, SEARCH, {"input": {"query": "*", "orFilters": ACTIVE}})

    found = {r["entity"]["urn"] for r in page["searchAcrossEntities"]["searchResults"]}
    assert found == {demo.ORDERS, demo.LOAD, demo.REVENUE, demo.DASHBOARD}
    everything = ask(server, token, SEARCH, {"input": {"query": "*", "count": 100}})
    assert everything["searchAcrossEntities"]["total"] == 11


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
