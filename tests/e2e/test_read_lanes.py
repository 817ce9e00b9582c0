"""On SQLite, API reads run one at a time in each of two lanes (graphql.lanes): searches
and lineage in one, the short reads in the other. A real server with a catalog big enough for
a free-text search to take a while: while many such searches queue, a short read (an asset's
health, with the token check every request makes) is answered before most of them, where a
single queue would answer it after the last of those queued before it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.server import Server, dataflare_env
from tests.ingest.mcps import BATCH, dataset, mcp

TOKEN = "read-lanes-token-0123456789"
ASSETS = 5000
SEARCHES = 24
HEALTHY = {"type": "INCIDENTS", "status": "PASS"}
SEARCH = """query search($q: String!) {
  searchAcrossEntities(input: {query: $q, start: 0, count: 10}) { total }
}"""
HEALTH = """query health($urn: String!) {
  dataset(urn: $urn) { urn health { type status } }
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("lanes")
    env = dataflare_env(home, f"sqlite:///{home}/lanes.db", DATAFLARE_ADMIN_TOKEN=TOKEN)
    running = Server(env)
    try:
        running.wait_ready()
        with client() as http:
            for start in range(0, ASSETS, 1000):
                proposals = [
                    mcp(urn(i), "datasetProperties", {"name": f"orders_{i}", "description": "o"})
                    for i in range(start, start + 1000)
                ]
                answer = http.post(f"{running.url}{BATCH}", json={"proposals": proposals})
                assert answer.status_code == 200, answer.text
        yield running
    finally:
        running.stop()


def urn(i: int) -> str:
    return dataset("hive", f"orders_{i}")


def client() -> httpx.Client:
    return httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)


def ask(http: httpx.Client, url: str, query: str, variables: dict[str, str]) -> dict[str, object]:
    body = http.post(f"{url}/api/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    data: dict[str, object] = body["data"]
    return data


def test_a_short_read_does_not_wait_for_the_searches_queued_before_it(server: Server) -> None:
    with client() as http:  # both documents compiled once: the lanes know them from then on
        found = ask(http, server.url, SEARCH, {"q": "orders"})
        assert found == {"searchAcrossEntities": {"total": ASSETS}}
        ask(http, server.url, HEALTH, {"urn": urn(1)})

    finished: dict[str, float] = {}
    lock = threading.Lock()

    def search(n: int) -> None:
        with client() as http:
            ask(http, server.url, SEARCH, {"q": "orders"})
        with lock:
            finished[f"search {n}"] = time.monotonic()

    def health() -> None:
        with client() as http:
            answer = ask(http, server.url, HEALTH, {"urn": urn(2)})
        assert answer == {"dataset": {"urn": urn(2), "health": [HEALTHY]}}
        with lock:
            finished["health"] = time.monotonic()

    with ThreadPoolExecutor(SEARCHES + 1) as pool:
        searches = [pool.submit(search, n) for n in range(SEARCHES)]
        time.sleep(0.05)  # the searches are queued on the server by now
        short = pool.submit(health)
        for future in [*searches, short]:
            future.result()

    order = sorted(finished, key=finished.__getitem__)
    # One queue for all would put the short read behind every search still queued when it came
    # (most of them: the searches take several times the 50 ms to go through).
    assert order.index("health") < SEARCHES // 2, order
