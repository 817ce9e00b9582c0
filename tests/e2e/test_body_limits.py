"""The body limits are settings of `dataflare serve`: a smaller one is enforced by a real server,
on GraphQL, forms and ingestion alike; a value that is not a size stops the start."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from tests.e2e.server import DATAFLARE, dataflare_env, serving

TOKEN = "limits-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_smaller_body_limits_are_enforced(database_url: str, tmp_path: Path) -> None:
    env = dataflare_env(
        tmp_path,
        database_url,
        DATAFLARE_ADMIN_TOKEN=TOKEN,
        DATAFLARE_MAX_BODY_BYTES="2048",
        DATAFLARE_MAX_INGEST_BYTES="4096",
    )
    query = {"query": "{ __typename }"}
    with serving(env, "--no-notify") as server:
        small = httpx.post(f"{server.url}/api/graphql", json=query, headers=AUTH)
        large = httpx.post(
            f"{server.url}/api/graphql", json={**query, "pad": "x" * 3000}, headers=AUTH
        )
        batch = {"proposals": [], "pad": "x" * 3000}
        ingested = httpx.post(
            f"{server.url}/aspects?action=ingestProposalBatch", json=batch, headers=AUTH
        )
        too_much = httpx.post(
            f"{server.url}/aspects?action=ingestProposalBatch",
            json={**batch, "pad": "x" * 5000},
            headers=AUTH,
        )

    assert small.status_code == 200
    assert large.status_code == 413
    assert large.json()["errors"][0]["message"].startswith(
        "The request body is larger than the limit of 2048 bytes"
    )
    assert ingested.status_code == 200, ingested.text
    assert too_much.status_code == 413


def test_a_body_limit_that_is_not_a_size_stops_the_start(database_url: str, tmp_path: Path) -> None:
    env = dataflare_env(tmp_path, database_url, DATAFLARE_MAX_BODY_BYTES="1MB")

    started = subprocess.run(
        [DATAFLARE, "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60
    )

    assert started.returncode != 0
    assert started.stderr.strip() == (
        "Error: DATAFLARE_MAX_BODY_BYTES must be a positive whole number of bytes, not '1MB'."
    )
