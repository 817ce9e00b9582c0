"""Many clients at once against a real server, on the same few assets: raising incidents on one
or two of them, resolving some, reassigning their owners and soft-deleting or restoring them in
batches. Afterwards the search counts equal a recount, and no request failed (no deadlock)."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from dataflare.db.database import Database
from tests.catalog.counts import kept, recounted
from tests.e2e.server import Server, dataflare_env
from tests.e2e.test_summary_concurrency import Client
from tests.graphql.documents import RAISE, UPDATE_STATUS
from tests.ingest.mcps import BATCH, dataset, mcp, ownership

TOKEN = "counts-concurrency-token"
ASSETS = [dataset("hive", f"table_{i}") for i in range(3)] + ["urn:li:chart:(looker,look.1)"]
OWNERS = [f"urn:li:corpuser:user{i}" for i in range(4)]
THREADS = 8
ROUNDS = 10


def incidents(client: Client, seed: int) -> None:
    """Raise on one or two assets, resolve about half of what was raised."""
    rng = random.Random(seed)
    raised = []
    for _ in range(ROUNDS):
        assets = rng.sample(ASSETS, rng.randint(1, 2))
        raised.append(
            client.data(RAISE, {"input": {"type": "SQL", "resourceUrns": assets}})["raiseIncident"]
        )
        if rng.random() < 0.5:
            urn = raised.pop(rng.randrange(len(raised)))
            client.data(UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED"}})


def metadata(client: Client, seed: int) -> None:
    """Batches that reassign owners, hide or restore assets, and raise, move or resolve
    incidents sent as metadata, in any order."""
    rng = random.Random(seed)
    for _ in range(ROUNDS):
        batch: list[dict[str, Any]] = []
        for urn in rng.sample(ASSETS, rng.randint(1, len(ASSETS))):
            batch.append(ownership(urn, *rng.sample(OWNERS, rng.randint(0, 2))))
            if rng.random() < 0.5:
                batch.append(mcp(urn, "status", {"removed": rng.random() < 0.4}))
        if rng.random() < 0.5:
            info = {
                "type": "SQL",
                "entities": rng.sample(ASSETS, rng.randint(1, 2)),
                "status": {"state": rng.choice(["ACTIVE", "RESOLVED"])},
            }
            incident = f"urn:li:incident:metadata-{seed}-{rng.randrange(3)}"
            batch.insert(rng.randrange(len(batch) + 1), mcp(incident, "incidentInfo", info))
        response = client.http.post(f"{client.url}{BATCH}", json={"proposals": batch})
        assert response.status_code == 200, response.text


def work(client: Client, seed: int) -> None:
    (incidents if seed % 2 else metadata)(client, seed)


def test_concurrent_changes_keep_the_search_counts_exact(database_url: str, tmp_path: Path) -> None:
    server = Server(dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=TOKEN))
    try:
        server.wait_ready()
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as http:
            client = Client(http, server.url)
            metadata(client, seed=-1)  # every asset known before the rush
            with ThreadPoolExecutor(max_workers=THREADS) as pool:
                list(pool.map(lambda seed: work(client, seed), range(THREADS)))
    finally:
        server.stop()

    db = Database(database_url)
    try:
        counts, expected = kept(db), recounted(db)
    finally:
        db.dispose()
    assert counts == expected
    assert sum(expected[1].values()) > 0  # something was left to count
