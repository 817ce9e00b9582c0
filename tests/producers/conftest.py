"""What the producer tests share: the producers' own environment (dbt, DataHub's dbt source, Great
Expectations and DataHub's action, whose pins never meet ours), a real Dataflare server, and a
way to run a producer's command as it runs on a pipeline host."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.server import Server, dataflare_env

ROOT = Path(__file__).parents[2]
PRODUCERS_BIN = ROOT / ".venv-producers" / "bin"
TOKEN = "producers-test-token"

needs_producers = pytest.mark.skipif(
    not (PRODUCERS_BIN / "python").exists(),
    reason="the producers' environment (.venv-producers) is missing: run `make test`",
)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(
        dataflare_env(tmp_path / "dataflare", database_url, DATAFLARE_ADMIN_TOKEN=TOKEN),
        "--no-notify",
    )
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def run_producer(
    command: list[str], home: Path, expect_failure: bool = False, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run one of the producers' commands (`dbt`, `datahub`, `python`) with `home` as its HOME and
    every tool's telemetry off; fails the test, with the command's output, if it fails (or, with
    `expect_failure`, if it does not: `dbt build` exits 1 when a test fails)."""
    done = subprocess.run(
        [str(PRODUCERS_BIN / command[0]), *command[1:]],
        env={
            "HOME": str(home),
            "PATH": f"{PRODUCERS_BIN}:/usr/bin:/bin",
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DATAHUB_TELEMETRY_ENABLED": "false",
            "GX_ANALYTICS_ENABLED": "false",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    expected = 1 if expect_failure else 0
    assert done.returncode == expected, (
        f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done


def graphql(server: Server, query: str, variables: dict[str, Any]) -> Any:
    """The `data` of a query that must succeed, asked as the admin."""
    response = httpx.post(
        f"{server.url}/api/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


# What the tests read of a dataset: its assertions with their newest run, and its incidents.
CHECKED = """
query checked($urn: String!) {
  dataset(urn: $urn) {
    health { type status message causes }
    assertions(start: 0, count: 20) {
      total
      assertions {
        urn
        platform { name }
        info { type customAssertion { type field { path } } }
        runEvents(limit: 1) { runEvents { runId result { type } } }
      }
    }
    incidents(start: 0, count: 10) {
      total
      incidents {
        urn incidentType title
        status { state message }
        source { type source { ... on Assertion { urn } } }
      }
    }
  }
}
"""
