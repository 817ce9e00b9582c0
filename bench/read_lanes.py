"""Short reads beside slow searches on SQLite: does a search hold up an asset's health?

A real server on SQLite with a catalog of `--assets` datasets (ingested in batches). First the
short read alone: `dataset { urn health }` (with the token check every request makes) on
`--concurrency` connections; then the same load again while other connections send free-text
searches that match the whole catalog. API reads on SQLite run in two lanes (graphql.lanes):
searches and lineage in one, short reads in the other; this shows what a search costs a short
read, as the ratio of its latencies with and without the searches.

    .venv/bin/python bench/read_lanes.py [--assets 20000] [--duration 5] [--searchers 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import servers
from loadgen import BenchError, run_load

HEALTH_URN = "urn:li:dataset:(urn:li:dataPlatform:hive,orders_1,PROD)"
HEALTH = {"query": f'query {{ dataset(urn: "{HEALTH_URN}") {{ urn health {{ type status }} }} }}'}
SEARCH = {
    "query": 'query { searchAcrossEntities(input: {query: "orders", start: 0, count: 10}) '
    "{ total searchResults { entity { urn } } } }"
}
BATCH = 1000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=20_000, help="datasets in the catalog")
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("--concurrency", type=int, default=8, help="short-read connections")
    parser.add_argument("--searchers", type=int, default=4, help="search connections")
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    return parser.parse_args()


def post(port: int, path: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection.request("POST", path, json.dumps(body), headers)
        response = connection.getresponse()
        text = response.read()
    finally:
        connection.close()
    answer: dict[str, Any] = json.loads(text) if text.startswith(b"{") else {}
    if response.status != 200 or "errors" in answer:
        raise BenchError(f"POST {path}: HTTP {response.status}: {text[:300]!r}")
    return answer


def seed(port: int, token: str, assets: int) -> None:
    for start in range(0, assets, BATCH):
        proposals = [
            {
                "entityType": "dataset",
                "entityUrn": f"urn:li:dataset:(urn:li:dataPlatform:hive,orders_{i},PROD)",
                "changeType": "UPSERT",
                "aspectName": "datasetProperties",
                "aspect": {
                    "value": json.dumps({"name": f"orders_{i}", "description": "orders"}),
                    "contentType": "application/json",
                },
            }
            for i in range(start, min(assets, start + BATCH))
        ]
        post(port, "/aspects?action=ingestProposalBatch", {"proposals": proposals}, token)
        print(f"\r  seeded {min(assets, start + BATCH):,} of {assets:,} assets", end="", flush=True)
    print()


def main() -> int:
    args = parse_args()
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="dataflare-lanes-") as folder:
        workdir = Path(folder)
        health_file, search_file = workdir / "health.json", workdir / "search.json"
        health_file.write_text(json.dumps(HEALTH))
        search_file.write_text(json.dumps(SEARCH))
        try:
            with servers.dataflare(workdir, token, None) as server:
                seed(server.port, token, args.assets)
                post(server.port, "/api/graphql", HEALTH, token)
                total = post(server.port, "/api/graphql", SEARCH, token)
                matched = total["data"]["searchAcrossEntities"]["total"]
                alone = run_load(server.port, f"--body-file={health_file}", token, args)
                beside: dict[str, Any] = {}
                searchers = argparse.Namespace(**{**vars(args), "concurrency": args.searchers})
                searching = threading.Thread(
                    target=lambda: beside.update(
                        run_load(server.port, f"--body-file={search_file}", token, searchers)
                    )
                )
                searching.start()
                together = run_load(server.port, f"--body-file={health_file}", token, args)
                searching.join()
        except (BenchError, servers.ServerError) as error:
            print(f"FAILED: {error}", file=sys.stderr)
            return 1
    errors = alone["errors"] + together["errors"] + beside.get("errors", 0)
    print(f"\n{args.assets:,} assets; each search matches {matched:,}; SQLite")
    print(f"{'run':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, stats in (
        ("health alone", alone),
        ("health, searches beside", together),
        ("the searches beside", beside),
    ):
        print(
            f"{name:<34} {stats['rps']:>8.0f} {stats['p50_ms']:>8.1f} {stats['p99_ms']:>8.1f} "
            f"{stats['errors']:>7}"
        )
    print(
        f"\nhealth p50 with searches / alone: {together['p50_ms'] / alone['p50_ms']:.2f}; "
        f"p99: {together['p99_ms'] / alone['p99_ms']:.2f}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
