"""Many clients raising and resolving incidents on the same few assets at once, against a real
server: afterwards every asset's active-incident summary equals a recomputation."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from dataflare.catalog.models import Asset
from dataflare.db.database import Database
from tests.e2e.server import Server, dataflare_env
from tests.graphql.documents import RAISE, UPDATE_STATUS
from tests.incidents.test_summary import ASSETS, recomputed, reported

TOKEN = "concurrency-token"
THREADS = 12
ROUNDS = 10


class Client:
    """Reads the answers of one server the way tests/conftest.GraphQL reads the app's."""

    def __init__(self, http: httpx.Client, url: str) -> None:
        self.http, self.url = http, url

    def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        body = self.http.post(
            f"{self.url}/api/graphql", json={"query": query, "variables": variables or {}}
        ).json()
        assert "errors" not in body, body
        return body["data"]


def work(client: Client, seed: int) -> int:
    """Raise on one or two of three assets, resolve about half of it; how many raises."""
    rng = random.Random(seed)
    raised = []
    for _ in range(ROUNDS):
        assets = rng.sample(ASSETS[:3], rng.randint(1, 2))
        raised.append(
            client.data(RAISE, {"input": {"type": "SQL", "resourceUrns": assets}})["raiseIncident"]
        )
        if rng.random() < 0.5:
            urn = raised.pop(rng.randrange(len(raised)))
            client.data(UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED"}})
    return ROUNDS


def test_concurrent_raises_and_resolves_keep_the_summary_exact(
    database_url: str, tmp_path: Path
) -> None:
    server = Server(dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=TOKEN))
    try:
        server.wait_ready()
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as http:
            client = Client(http, server.url)
            with ThreadPoolExecutor(max_workers=THREADS) as pool:
                done = list(pool.map(lambda seed: work(client, seed), range(THREADS)))
            answered = reported(client)  # type: ignore[arg-type]  # the same .data()
    finally:
        server.stop()

    db = Database(database_url)
    try:
        expected = recomputed(db)
        with db.session() as session:
            counts = {u: n for u, n in session.execute(select(Asset.urn, Asset.active_incidents))}
    finally:
        db.dispose()
    assert sum(done) == THREADS * ROUNDS
    assert answered == expected
    assert {urn: counts.get(urn, 0) for urn in ASSETS} == {
        urn: count for urn, (_, count, _) in expected.items()
    }
    assert sorted(counts) == sorted(ASSETS[:3])
    assert all(count > 0 for count in counts.values())
