"""Assertions against a real server: the Monte Carlo style incident of DataHub's smoke test,
listed with its assertion, and a stream of 10,000 runs of 1,000 assertions, in shuffled order,
half in one batch and half in batches sent by concurrent clients, that raises no duplicate
incident."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from tests.assertions.documents import dataset_info, run
from tests.e2e.server import dataflare_env, serving
from tests.ingest.mcps import dataset, mcp

TOKEN = "assertions-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BATCH = "/aspects?action=ingestProposalBatch"
SMOKE_DATASET = "urn:li:dataset:(urn:li:dataPlatform:kafka,incidents-sample-dataset,PROD)"
SMOKE_ASSERTION = "urn:li:assertion:assertion-test"
SMOKE_INCIDENT = "urn:li:incident:test"
LISTED = """
query dataset($urn: String!) {
  dataset(urn: $urn) {
    incidents(start: 0, count: 10) {
      total
      incidents {
        urn incidentType title
        source {
          type
          source { ... on Assertion { urn type info { type } } }
        }
      }
    }
  }
}
"""
ACTIVE = """
query active($urn: String!) {
  dataset(urn: $urn) {
    incidents(state: ACTIVE, start: 0, count: 100) {
      total
      incidents { urn source { source { urn } } }
    }
  }
}
"""


def _graphql(url: str, query: str, variables: dict[str, Any]) -> Any:
    response = httpx.post(
        f"{url}/api/graphql", json={"query": query, "variables": variables}, headers=AUTH
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _send(url: str, proposals: list[dict[str, Any]]) -> None:
    response = httpx.post(f"{url}{BATCH}", json={"proposals": proposals}, headers=AUTH, timeout=300)
    assert response.status_code == 200, response.text


def test_a_monte_carlo_incident_lists_its_assertion(database_url: str, tmp_path: Path) -> None:
    incident_info = {
        "type": "OPERATIONAL",
        "title": "test title",
        "description": "test description",
        "entities": [SMOKE_DATASET],
        "status": {"state": "ACTIVE", "lastUpdated": {"time": 0, "actor": "urn:li:corpuser:admin"}},
        "source": {"type": "ASSERTION_FAILURE", "sourceUrn": SMOKE_ASSERTION},
        "created": {"time": 0, "actor": "urn:li:corpuser:admin"},
    }
    env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=TOKEN)
    with serving(env, "--no-notify") as server:
        _send(
            server.url,
            [
                mcp(SMOKE_INCIDENT, "incidentInfo", incident_info),
                mcp(SMOKE_ASSERTION, "assertionInfo", {"type": "DATASET"}),
            ],
        )
        listed = _graphql(server.url, LISTED, {"urn": SMOKE_DATASET})["dataset"]["incidents"]

    assert listed["total"] == 1
    assert listed["incidents"] == [
        {
            "urn": SMOKE_INCIDENT,
            "incidentType": "OPERATIONAL",
            "title": "test title",
            "source": {
                "type": "ASSERTION_FAILURE",
                "source": {
                    "urn": SMOKE_ASSERTION,
                    "type": "ASSERTION",
                    "info": {"type": "DATASET"},
                },
            },
        }
    ]


ASSERTIONS, RUNS, DATASETS = 1_000, 10, 100
T0 = 1_700_000_000_000


Proposals = list[dict[str, Any]]


def _stream() -> tuple[Proposals, Proposals, dict[str, set[str]]]:
    """Every assertion's info; their runs, shuffled; and, per dataset, the assertions whose
    newest run failed (those that must have one active incident each, and only those)."""
    infos, runs = [], []
    failing: dict[str, set[str]] = {dataset("snowflake", f"t{d}"): set() for d in range(DATASETS)}
    for i in range(ASSERTIONS):
        urn, on = f"urn:li:assertion:a{i}", dataset("snowflake", f"t{i % DATASETS}")
        infos.append(dataset_info(urn, on))
        for j in range(RUNS):
            result = "FAILURE" if (i + j) % 3 == 0 else "SUCCESS"
            runs.append(run(T0 + j * 60_000, result, urn=urn, on=on, run_id=f"r{j}"))
        if (i + RUNS - 1) % 3 == 0:
            failing[on].add(urn)
    random.Random(17).shuffle(runs)
    return infos, runs, failing


def test_ten_thousand_runs_in_a_stream_raise_no_duplicate_incident(
    database_url: str, tmp_path: Path
) -> None:
    infos, runs, failing = _stream()
    half = len(runs) // 2
    batches = [runs[i : i + 500] for i in range(half, len(runs), 500)]
    env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=TOKEN)
    with serving(env, "--no-notify") as server:
        _send(server.url, infos + runs[:half])  # one batch of 6,000 proposals
        with ThreadPoolExecutor(4) as pool:  # then four clients, batches of 500 runs each
            list(pool.map(lambda batch: _send(server.url, batch), batches))
        active = {
            urn: _graphql(server.url, ACTIVE, {"urn": urn})["dataset"]["incidents"]
            for urn in failing
        }

    for urn, expected in failing.items():
        sources = [i["source"]["source"]["urn"] for i in active[urn]["incidents"]]
        assert len(sources) == len(set(sources)), f"duplicate active incident on {urn}"
        assert set(sources) == expected
        assert active[urn]["total"] == len(expected)


def test_clients_sending_the_same_new_assertions_at_once_all_succeed(
    database_url: str, tmp_path: Path
) -> None:
    """Each batch names assertions never seen before, on shared assets, with failing runs: the
    batches queue on the new assertions' rows rather than deadlock."""

    def batch(round_: int, client: int) -> list[dict[str, Any]]:
        proposals = []
        for i in range(20):
            urn = f"urn:li:assertion:r{round_}-{i}"
            on = dataset("snowflake", f"t{i % 3}")
            proposals += [
                dataset_info(urn, on),
                run(T0 + client, "FAILURE", urn=urn, on=on, run_id=f"c{client}"),
            ]
        return proposals[::-1] if client % 2 else proposals

    env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=TOKEN)
    with serving(env, "--no-notify") as server:
        with ThreadPoolExecutor(4) as pool:
            work = [(r, c) for r in range(5) for c in range(4)]
            list(pool.map(lambda rc: _send(server.url, batch(*rc)), work))
        active = [
            _graphql(server.url, ACTIVE, {"urn": dataset("snowflake", f"t{d}")})["dataset"]
            for d in range(3)
        ]

    sources = [i["source"]["source"]["urn"] for a in active for i in a["incidents"]["incidents"]]
    assert sorted(sources) == sorted(
        f"urn:li:assertion:r{r}-{i}" for r in range(5) for i in range(20)
    )
