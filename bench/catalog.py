"""`make bench` (second part): search, lineage and incident reads as the catalog grows.

Starts a real `dataflare serve` (SQLite, or a throwaway PostgreSQL database), then for each
size (1,000, 100,000 and 1,000,000 assets by default, growing the same database):

1. seeds the catalog in bulk (bench/catalog_seed.py: set-based inserts into Dataflare's own
   tables, timed on their own): the assets of bench/catalog_data.py with their owners and
   lineage (about 2 edges an asset), and incidents up to one per asset (a long tail, a tenth on
   one "hot" dataset);
2. runs the load generator (bench/load.py, a process of its own) on each request of
   bench/catalog_queries.py: searchAcrossEntities with "*", free text, each filter alone, "*"
   with Has Active Incidents, an OR of ANDs; searchAcrossLineage upstream through every hop; an
   asset page; the hot dataset's `incidents(count: 10)` and `health`.

Prints seeding times, req/s, p50 and p99 per request and size, and how p99 grew from the first
size to the last (goals: less than 2x for searches, 1.5x for the hot dataset). Exits 1 if any
request failed or answered a wrong total.

    .venv/bin/python bench/catalog.py [--sizes 1000,100000,1000000] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import secrets
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import servers
from catalog_data import DOMAIN_SIZE, Catalog
from catalog_queries import HOT_KIND, SEARCH_KIND, Query, queries
from catalog_seed import Seeded, Seeder
from loadgen import BenchError, run_load
from pgdb import DatabaseSetupError, add_postgres_option, temporary_database
from scenarios import GRAPHQL_PATH

GROWTH_GOALS = {SEARCH_KIND: 2.0, HOT_KIND: 1.5}  # p99 at the largest size / at the smallest
MAX_ASSETS = 1_000_000
REQUEST_TIMEOUT_S = 600.0  # one check request
IDLE_S = 2.0  # uvicorn closes keep-alive connections idle for 5 s: reconnect well before


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1000,100000,1000000",
        help="asset counts to measure at, increasing, multiples of 100 (the same database grows)",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    # Two, not 16: SQLite's reads run on one thread, so more connections only queue, and a
    # search that reads most of a large catalog would keep 16 waiting for tens of seconds.
    parser.add_argument("--concurrency", type=int, default=2, help="keep-alive connections")
    parser.add_argument(
        "--drain", type=float, default=120, help="seconds the last answers of a run may take"
    )
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="cap per run")
    parser.add_argument(
        "--only", default="", help="measure only the requests whose names contain this text"
    )
    parser.add_argument(
        "--time-limit", type=float, default=7200, help="give up (FAILED) after this many seconds"
    )
    parser.add_argument(
        "--hold",
        type=float,
        default=0,
        help="keep the server and database up this many seconds after the last run "
        "(to profile or EXPLAIN against them), then stop and clean up as usual",
    )
    add_postgres_option(parser)
    args = parser.parse_args()
    try:
        args.sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error("--sizes: comma-separated integers")
    if (
        not args.sizes
        or args.sizes != sorted(set(args.sizes))
        or any(s % DOMAIN_SIZE or not 0 < s <= MAX_ASSETS for s in args.sizes)
    ):
        parser.error(f"--sizes: increasing multiples of {DOMAIN_SIZE}, at most {MAX_ASSETS}")
    if not (0 < args.duration <= 300 and 0 <= args.warmup <= 60 and 1 <= args.concurrency <= 256):
        parser.error("keep to 0 < duration <= 300, 0 <= warmup <= 60, 1 <= concurrency <= 256")
    if not (args.time_limit > 0 and 0 <= args.hold <= 3600 and 0 < args.drain <= 600):
        parser.error("keep to time-limit > 0, 0 <= hold <= 3600, 0 < drain <= 600")
    return args


class Client:
    """One keep-alive connection to the server, for the checks."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.last_used = 0.0

    def graphql(self, body: bytes) -> dict[str, Any]:
        if time.monotonic() - self.last_used > IDLE_S:  # the server may have closed it
            self.connection.close()  # http.client opens a new one on the next request
        self.connection.request("POST", GRAPHQL_PATH, body, self.headers)
        response = self.connection.getresponse()
        raw = response.read()
        self.last_used = time.monotonic()
        answer: dict[str, Any] = json.loads(raw) if raw.startswith(b"{") else {}
        if response.status != 200 or "errors" in answer:
            raise BenchError(f"POST {GRAPHQL_PATH}: HTTP {response.status}: {raw[:500]!r}")
        data: dict[str, Any] = answer["data"]
        return data

    def close(self) -> None:
        self.connection.close()


def check(client: Client, query: Query) -> None:
    """One request first: the answer must be right, or the figures mean nothing."""
    [result] = client.graphql(query.body).values()
    if result is None:
        raise BenchError(f"{query.name}: the server found nothing")
    if query.expected_total is not None and result["total"] != query.expected_total:
        raise BenchError(
            f"{query.name}: the server found {result['total']} assets, expected "
            f"{query.expected_total}"
        )


def load(port: int, query: Query, token: str, args: argparse.Namespace, workdir: Path) -> Any:
    body_file = workdir / "query.json"
    body_file.write_bytes(query.body)
    return run_load(port, f"--body-file={body_file}", token, args)


def bench(
    args: argparse.Namespace, workdir: Path
) -> tuple[list[Seeded], dict[tuple[str, int], Any], dict[str, str]]:
    token = secrets.token_urlsafe(24)
    deadline = time.monotonic() + args.time_limit
    seeded: list[Seeded] = []
    measured: dict[tuple[str, int], Any] = {}
    kinds: dict[str, str] = {}
    with ExitStack() as stack:
        database_url = f"sqlite:///{workdir / 'dataflare.db'}"
        if args.postgres:
            database_url = stack.enter_context(temporary_database(args.postgres))
        server = stack.enter_context(servers.dataflare(workdir, token, database_url))
        print(f"  dataflare: pid {server.pid}, port {server.port}", file=sys.stderr)
        client = Client(server.port, token)
        stack.callback(client.close)
        catalog, seeder = Catalog(), Seeder(database_url)
        try:
            for size in args.sizes:
                print(f"  seeding {size:,} assets ...", file=sys.stderr, flush=True)
                seeded.append(seeder.grow(catalog, size))
                print(f"  seeded in {seeded[-1].seconds:.1f} s", file=sys.stderr)
                # deep in a chain of the 10th domain: the same answer at every size
                start_urn = catalog.deepest[min(len(catalog.deepest) - 1, 9 * 12)]
                for query in queries(catalog, seeder, start_urn):
                    if args.only not in query.name:
                        continue
                    if time.monotonic() > deadline:
                        raise BenchError(f"time limit ({args.time_limit:g} s) reached")
                    check(client, query)
                    print(f"  {query.name} at {size:,} ...", file=sys.stderr, flush=True)
                    stats = load(server.port, query, token, args, workdir)
                    stats["total"] = query.expected_total
                    measured[(query.name, size)] = stats
                    kinds[query.name] = query.kind
                    print(
                        f"    {stats['rps']:.0f} req/s, p50 {ms(stats['p50_ms'])} ms, "
                        f"p99 {ms(stats['p99_ms'])} ms",
                        file=sys.stderr,
                    )
                    if stats["errors"]:
                        raise BenchError(f"{query.name}: errors: {stats['error_samples']}")
            if args.hold:
                print(
                    f"  holding {args.hold:g} s: server pid {server.pid}, database {database_url}",
                    file=sys.stderr,
                    flush=True,
                )
                time.sleep(args.hold)
        except BenchError as error:
            raise BenchError(
                f"{error}\n--- end of the server's log ---\n{servers.tail(server.log)}"
            ) from error
    return seeded, measured, kinds


def ms(value: float) -> str:
    """A latency; "> run" when no request sent after the warm-up was answered before the end
    of the run (each took longer than the run)."""
    return "> run" if math.isnan(value) else f"{value:.1f}"


def tables(
    args: argparse.Namespace,
    seeded: list[Seeded],
    measured: dict[tuple[str, int], Any],
    kinds: dict[str, str],
) -> str:
    out = ["Bulk seeding (set-based inserts, indexes and triggers as in use):", ""]
    out.append(f"{'assets':>9}  {'new':>9}  {'edges':>9}  {'incidents':>9}  {'seconds':>8}")
    for s in seeded:
        out.append(
            f"{s.size:>9,}  {s.assets:>9,}  {s.edges:>9,}  {s.incidents:>9,}  {s.seconds:>8.1f}"
        )
    out += ["", "Requests (count 10, facets included):", ""]
    out.append(
        f"{'request':<24}  {'assets':>9}  {'total':>7}  {'req/s':>7}  {'p50 ms':>8}  "
        f"{'p99 ms':>8}  {'errors':>6}  {'resp B':>7}"
    )
    names = list(dict.fromkeys(name for name, _ in measured))
    for name in names:
        for size in args.sizes:
            stats = measured.get((name, size))
            if stats is None:
                continue
            total = "" if stats["total"] is None else stats["total"]
            out.append(
                f"{name:<24}  {size:>9,}  {total:>7}  {stats['rps']:>7.0f}  "
                f"{ms(stats['p50_ms']):>8}  {ms(stats['p99_ms']):>8}  {stats['errors']:>6}  "
                f"{stats['response_bytes']:>7}"
            )
    first, last = args.sizes[0], args.sizes[-1]
    if first != last:
        out += ["", f"p99 growth from {first:,} to {last:,} assets:", ""]
        for name in names:
            a, b = measured.get((name, first)), measured.get((name, last))
            if a and b:
                ratio = b["p99_ms"] / a["p99_ms"]  # nan when one of them is "> run"
                goal = GROWTH_GOALS.get(kinds[name])
                verdict = (
                    ""
                    if goal is None
                    else (f"met (< {goal:g}x)" if ratio < goal else f"MISSED (goal < {goal:g}x)")
                )
                out.append(
                    f"{name:<24}  {ms(a['p99_ms']):>8} -> {ms(b['p99_ms']):>8} ms  "
                    f"{'-' if math.isnan(ratio) else f'{ratio:.2f}':>6}x  {verdict}"
                )
    return "\n".join(out)


def main() -> int:
    args = parse_args()
    database = "postgresql" if args.postgres else "sqlite"
    print(
        f"Dataflare catalog benchmark, {datetime.date.today()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, {database}, sizes "
        f"{','.join(map(str, args.sizes))}, concurrency {args.concurrency}, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per run",
        flush=True,
    )
    print("load average before the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="dataflare-catalog-bench-") as workdir:
        seeded, measured, kinds = bench(args, Path(workdir))
    print()
    print(tables(args, seeded, measured, kinds))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BenchError, DatabaseSetupError, servers.ServerError) as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        sys.exit(1)
