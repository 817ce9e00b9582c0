"""The Python examples of docs/pipelines.md, run as written against a real server (only the
address and token replaced), so the guide cannot drift from the SDK."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dataflare.client import DataflareClient
from tests.client.conftest import TOKEN, LiveServer

GUIDE = Path(__file__).parents[2] / "docs" / "pipelines.md"
ORDERS = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.orders,PROD)"


def example(containing: str, live: LiveServer) -> str:
    """The guide's one Python block holding `containing`, pointed at the test server."""
    blocks: list[str] = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    [found] = [b for b in blocks if containing in b]
    return (
        found.replace("https://dataflare.example.com", live.url)
        .replace("http://127.0.0.1:9002", live.url)
        .replace("dfp_...", TOKEN)
    )


def test_the_data_quality_example_raises_once_and_resolves(
    live: LiveServer, sdk: DataflareClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAFLARE_URL", live.url)
    monkeypatch.setenv("DATAFLARE_TOKEN", TOKEN)
    namespace: dict[str, Any] = {}
    exec(example("def report", live), namespace)

    namespace["report"](3)
    namespace["report"](5)
    [raised] = sdk.list_incidents(ORDERS, "ACTIVE").incidents
    namespace["report"](0)

    assert (raised.title, raised.priority, raised.dedup_key) == (
        "orders.id has nulls",
        "HIGH",
        "orders.id_not_null",
    )
    assert [e.kind for e in sdk.get(raised.urn).activity] == ["RAISED", "RAISED_AGAIN", "STATE"]
    assert sdk.list_incidents(ORDERS, "ACTIVE").total == 0


def test_the_sdk_tour_runs(live: LiveServer, sdk: DataflareClient, fresh_dataset: str) -> None:
    namespace: dict[str, Any] = {"asset_urn": fresh_dataset}

    exec(example("client.update_status(", live), namespace)

    incident = sdk.get(namespace["urn"])
    assert (incident.state, incident.message) == ("ACTIVE", "failed again")
    assert incident.assignees == ["urn:li:corpuser:jdoe"]
    assert namespace["page"].total == 1 and namespace["health"].status == "FAIL"


def test_the_breaker_example_stops_on_an_urgent_incident(
    live: LiveServer, sdk: DataflareClient, fresh_dataset: str
) -> None:
    namespace: dict[str, Any] = {"urn": fresh_dataset}
    breaker_example = example("IncidentCircuitBreakerConfig(\n    datahub_host", live)
    sdk.raise_incident(fresh_dataset, "FRESHNESS", priority="CRITICAL")
    sdk.raise_incident(fresh_dataset, "SQL", priority="LOW")
    exec(breaker_example, namespace)  # ignored type and low priority: passes

    sdk.raise_incident(fresh_dataset, "SQL", priority="HIGH")
    with pytest.raises(SystemExit, match="inputs have active incidents"):
        exec(breaker_example, namespace)
