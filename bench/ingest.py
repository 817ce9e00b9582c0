"""Ingestion through the API: proposals/s of `ingestProposalBatch` as the catalog grows.

A real server (SQLite, or PostgreSQL with --postgres) is sent, for each new dataset, the three
aspects a DataHub ingestion run sends most: `datasetProperties`, `ownership` (one of 50 users)
and `upstreamLineage` (two upstreams among the datasets before it), in batches of `--batch`
proposals, one request at a time, as `datahub ingest` does. Printed: proposals/s for each tenth
of the run, so a slowdown as the catalog grows shows, and for the whole run.

Goal (issue: reads at catalog scale): at least 5,000 proposals/s on SQLite and 3,000 on
PostgreSQL, to 100,000 assets.

    .venv/bin/python bench/ingest.py [--assets 100000] [--batch 300] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import servers
from loadgen import BenchError
from pgdb import DatabaseSetupError, add_postgres_option, temporary_database

GOALS = {"sqlite": 5000, "postgresql": 3000}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=100_000, help="datasets to ingest")
    parser.add_argument("--batch", type=int, default=300, help="proposals a request")
    add_postgres_option(parser)
    return parser.parse_args()


def urn(i: int) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:hive,table_{i},PROD)"


def proposal(i: int, aspect: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "entityType": "dataset",
        "entityUrn": urn(i),
        "changeType": "UPSERT",
        "aspectName": aspect,
        "aspect": {"value": json.dumps(value), "contentType": "application/json"},
    }


def proposals_for(i: int) -> list[dict[str, Any]]:
    owner = {"owner": f"urn:li:corpuser:user{i % 50}", "type": "TECHNICAL_OWNER"}
    upstreams = [{"dataset": urn(j), "type": "TRANSFORMED"} for j in {max(0, i - 1), i // 2}]
    return [
        proposal(i, "datasetProperties", {"name": f"table_{i}", "description": "A table."}),
        proposal(i, "ownership", {"owners": [owner]}),
        proposal(i, "upstreamLineage", {"upstreams": upstreams}),
    ]


def send(connection: http.client.HTTPConnection, token: str, batch: list[Any]) -> None:
    body = json.dumps({"proposals": batch})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection.request("POST", "/aspects?action=ingestProposalBatch", body, headers)
    response = connection.getresponse()
    answer = response.read()
    if response.status != 200:
        raise BenchError(f"HTTP {response.status}: {answer[:300]!r}")


def ingest(port: int, token: str, args: argparse.Namespace) -> list[tuple[int, int, float]]:
    """(assets so far, proposals in this tenth, seconds it took) for each tenth of the run."""
    per_batch = max(1, args.batch // 3)
    tenth = max(per_batch, args.assets // 10)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    tenths, sent, started = [], 0, time.perf_counter()
    try:
        for first in range(0, args.assets, per_batch):
            batch = [
                p
                for i in range(first, min(args.assets, first + per_batch))
                for p in proposals_for(i)
            ]
            send(connection, token, batch)
            sent += len(batch)
            done = min(args.assets, first + per_batch)
            if done % tenth < per_batch or done == args.assets:
                now = time.perf_counter()
                tenths.append((done, sent, now - started))
                print(f"\r  {done:,} of {args.assets:,} assets", end="", flush=True)
                sent, started = 0, now
    finally:
        connection.close()
    print()
    return tenths


def main() -> int:
    args = parse_args()
    token = secrets.token_urlsafe(24)
    database = "postgresql" if args.postgres else "sqlite"
    with tempfile.TemporaryDirectory(prefix="dataflare-ingest-") as folder, ExitStack() as stack:
        try:
            url = stack.enter_context(temporary_database(args.postgres)) if args.postgres else None
            server = stack.enter_context(servers.dataflare(Path(folder), token, url))
            tenths = ingest(server.port, token, args)
        except (BenchError, servers.ServerError, DatabaseSetupError) as error:
            print(f"FAILED: {error}", file=sys.stderr)
            return 1
    print(f"\ningestProposalBatch on {database}, {args.batch} proposals a request")
    print(f"{'assets':>10} {'proposals/s':>12}")
    for assets, proposals, seconds in tenths:
        print(f"{assets:>10,} {proposals / seconds:>12,.0f}")
    total = sum(p for _, p, _ in tenths) / sum(s for _, _, s in tenths)
    goal = GOALS[database]
    verdict = "met" if total >= goal else "MISSED"
    print(f"\nwhole run: {total:,.0f} proposals/s; goal >= {goal:,}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
