"""`make bench` (second part): catalog ingestion and search as the catalog grows.

Starts a real `dataflare serve` (SQLite, or a throwaway PostgreSQL database), then for each
size (1,000, 10,000, 100,000 assets by default, growing the same database):

1. ingests the new assets through POST /aspects?action=ingestProposalBatch (datasets with
   properties, owners and upstream lineage, data jobs, charts, dashboards; see
   bench/catalog_data.py) and raises incidents on 1% of them through raiseIncident;
2. runs the load generator (bench/load.py, a process of its own) on three GraphQL queries:
   searchAcrossEntities "*" with hasActiveIncidents=true, the same with a free-text word, and
   searchAcrossLineage UPSTREAM with hasActiveIncidents=true from a last-layer dataset, 5 or 6
   hops from its sources.

Prints ingestion rates, req/s, p50 and p99 per query and size, and how p99 grew from the first
size to the last (goal: less than 2x). Exits 1 if any request failed or answered a wrong total.

    .venv/bin/python bench/catalog.py [--sizes 1000,10000,100000] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import servers
from catalog_data import DOMAIN_SIZE, SEARCH_WORD, Catalog
from loadgen import BenchError, run_load
from pgdb import DEFAULT_SERVER_URL, DatabaseSetupError, temporary_database
from scenarios import GRAPHQL_PATH

GROWTH_GOAL = 2.0  # p99 at the largest size / p99 at the smallest
MAX_ASSETS = 1_000_000
REQUEST_TIMEOUT_S = 600.0  # one ingestion batch or one check request
IDLE_S = 2.0  # uvicorn closes keep-alive connections idle for 5 s: reconnect well before

SEARCH = (
    "query search($input: SearchAcrossEntitiesInput!) { searchAcrossEntities(input: $input) { "
    "start count total searchResults { entity { urn type } } "
    "facets { field displayName aggregations { value count } } } }"
)
LINEAGE = (
    "query lineage($input: SearchAcrossLineageInput!) { searchAcrossLineage(input: $input) { "
    "start count total searchResults { degree entity { urn type } } "
    "facets { field displayName aggregations { value count } } } }"
)
ACTIVE = [{"and": [{"field": "hasActiveIncidents", "values": ["true"]}]}]
RAISE = "mutation raise($input: RaiseIncidentInput!) { raiseIncident(input: $input) }"


@dataclass(frozen=True)
class Query:
    name: str
    body: bytes
    expected_total: int


@dataclass(frozen=True)
class Ingested:
    size: int
    new_assets: int
    proposals: int
    seconds: float
    incidents: int
    incident_seconds: float


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="asset counts to measure at, increasing, multiples of 100 (the same database grows)",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="cap per run")
    parser.add_argument("--batch", type=int, default=500, help="proposals per ingestion request")
    parser.add_argument(
        "--time-limit", type=float, default=3600, help="give up (FAILED) after this many seconds"
    )
    parser.add_argument(
        "--hold",
        type=float,
        default=0,
        help="keep the server and database up this many seconds after the last run "
        "(to profile or EXPLAIN against them), then stop and clean up as usual",
    )
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_SERVER_URL,
        metavar="URL",
        help="use PostgreSQL instead of SQLite: a throwaway database is created on the server "
        f"this URL names, then dropped (default {DEFAULT_SERVER_URL})",
    )
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
    if not (1 <= args.batch <= 10_000 and args.time_limit > 0 and 0 <= args.hold <= 3600):
        parser.error("keep to 1 <= batch <= 10000, time-limit > 0, 0 <= hold <= 3600")
    return args


class Client:
    """One keep-alive connection to the server, for ingestion and checks."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.last_used = 0.0

    def post(self, path: str, body: bytes) -> dict[str, Any]:
        if time.monotonic() - self.last_used > IDLE_S:  # the server may have closed it
            self.connection.close()  # http.client opens a new one on the next request
        self.connection.request("POST", path, body, self.headers)
        response = self.connection.getresponse()
        raw = response.read()
        self.last_used = time.monotonic()
        answer: dict[str, Any] = json.loads(raw) if raw.startswith(b"{") else {}
        if response.status != 200 or "errors" in answer:
            raise BenchError(f"POST {path}: HTTP {response.status}: {raw[:500]!r}")
        return answer

    def graphql(self, body: bytes) -> dict[str, Any]:
        data: dict[str, Any] = self.post(GRAPHQL_PATH, body)["data"]
        return data

    def close(self) -> None:
        self.connection.close()


def graphql_body(query: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


def ingest(
    client: Client, catalog: Catalog, size: int, args: argparse.Namespace, deadline: float
) -> tuple[int, float, list[str]]:
    """Grow the catalog to `size` assets: (proposals sent, seconds, the new assets' urns)."""
    known = len(catalog.text)
    proposals = list(catalog.owners()) if catalog.domains == 0 else []
    proposals.extend(catalog.grow((size - catalog.size) // DOMAIN_SIZE))
    bodies = (
        json.dumps({"proposals": proposals[i : i + args.batch]}).encode()
        for i in range(0, len(proposals), args.batch)
    )
    seconds = 0.0
    for body in bodies:  # encoding is not timed: only the server's work
        if time.monotonic() > deadline:
            raise BenchError(f"time limit ({args.time_limit:g} s) reached while ingesting")
        started = time.perf_counter()
        client.post("/aspects?action=ingestProposalBatch", body)
        seconds += time.perf_counter() - started
    return len(proposals), seconds, list(catalog.text)[known:]


def raise_incidents(client: Client, urns: list[str], deadline: float) -> float:
    started = time.perf_counter()
    for i, urn in enumerate(urns):
        if time.monotonic() > deadline:
            raise BenchError("time limit reached while raising incidents")
        incident = {
            "type": "OPERATIONAL",
            "title": f"Freshness check failed ({i})",
            "description": "The table was not updated in the last 24 hours.",
            "resourceUrn": urn,
        }
        client.graphql(graphql_body(RAISE, {"input": incident}))
    return time.perf_counter() - started


def pick_incidents(rng: random.Random, new_urns: list[str], closure: set[str]) -> list[str]:
    """1% of the new assets; at least 2 of them upstream of the lineage start when it can be."""
    picked = rng.sample(new_urns, max(1, len(new_urns) // 100))
    in_range = sorted(closure & set(new_urns))
    have = [u for u in picked if u in closure]
    extra = [u for u in rng.sample(in_range, len(in_range)) if u not in have]
    extra = extra[: max(0, min(2, len(picked)) - len(have))]
    others = [u for u in picked if u not in closure]
    return have + extra + others[: len(picked) - len(have) - len(extra)]


def queries(catalog: Catalog, start_urn: str, broken: set[str]) -> list[Query]:
    closure = set(catalog.upstream_closure(start_urn))
    search = {"query": "*", "start": 0, "count": 10, "orFilters": ACTIVE}
    text = dict(search, query=SEARCH_WORD)
    lineage = {"urn": start_urn, "direction": "UPSTREAM", **search}
    return [
        Query("search * +incidents", graphql_body(SEARCH, {"input": search}), len(broken)),
        Query(
            f"search {SEARCH_WORD} +incidents",
            graphql_body(SEARCH, {"input": text}),
            catalog.matches(broken, SEARCH_WORD),
        ),
        Query(
            "lineage up +incidents",
            graphql_body(LINEAGE, {"input": lineage}),
            catalog.matches(broken & closure, None),
        ),
    ]


def check(client: Client, query: Query) -> None:
    """One request first: the answer must be right, or the figures mean nothing."""
    data = client.graphql(query.body)
    [result] = data.values()
    if result["total"] != query.expected_total:
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
) -> tuple[list[Ingested], dict[tuple[str, int], Any]]:
    token = secrets.token_urlsafe(24)
    deadline = time.monotonic() + args.time_limit
    ingested: list[Ingested] = []
    measured: dict[tuple[str, int], Any] = {}
    with ExitStack() as stack:
        database_url = None
        if args.postgres:
            database_url = stack.enter_context(temporary_database(args.postgres))
        server = stack.enter_context(servers.dataflare(workdir, token, database_url))
        print(f"  dataflare: pid {server.pid}, port {server.port}", file=sys.stderr)
        client = Client(server.port, token)
        stack.callback(client.close)
        catalog, rng = Catalog(), random.Random(7)
        broken: set[str] = set()
        start_urn = ""
        try:
            for size in args.sizes:
                print(f"  growing to {size:,} assets ...", file=sys.stderr, flush=True)
                proposals, seconds, new_urns = ingest(client, catalog, size, args, deadline)
                if not start_urn:  # deep in a chain, in the first size: the same at every size
                    start_urn = catalog.deepest[-1]
                picked = pick_incidents(rng, new_urns, set(catalog.upstream_closure(start_urn)))
                incident_seconds = raise_incidents(client, picked, deadline)
                broken.update(picked)
                ingested.append(
                    Ingested(size, len(new_urns), proposals, seconds, len(picked), incident_seconds)
                )
                print(
                    f"  {proposals:,} proposals in {seconds:.1f} s, {len(picked)} incidents in "
                    f"{incident_seconds:.1f} s",
                    file=sys.stderr,
                )
                for query in queries(catalog, start_urn, broken):
                    if time.monotonic() > deadline:
                        raise BenchError("time limit reached")
                    check(client, query)
                    print(f"  {query.name} at {size:,} ...", file=sys.stderr, flush=True)
                    stats = load(server.port, query, token, args, workdir)
                    stats["total"] = query.expected_total
                    measured[(query.name, size)] = stats
                    print(
                        f"    {stats['rps']:.0f} req/s, p50 {ms(stats['p50_ms'])} ms, "
                        f"p99 {ms(stats['p99_ms'])} ms",
                        file=sys.stderr,
                    )
                    if stats["errors"]:
                        raise BenchError(f"{query.name}: errors: {stats['error_samples']}")
            if args.hold:
                where = database_url or f"sqlite:///{workdir / 'dataflare.db'}"
                print(
                    f"  holding {args.hold:g} s: server pid {server.pid}, database {where}",
                    file=sys.stderr,
                    flush=True,
                )
                time.sleep(args.hold)
        except BenchError as error:
            raise BenchError(
                f"{error}\n--- end of the server's log ---\n{servers.tail(server.log)}"
            ) from error
    return ingested, measured


def ms(value: float) -> str:
    return f"{value:.1f}"


def tables(args: argparse.Namespace, ingested: list[Ingested], measured: dict[Any, Any]) -> str:
    out = ["Ingestion (one client, sequential batches; proposals/s = server time only):", ""]
    out.append(
        f"{'assets':>8}  {'new':>7}  {'proposals':>9}  {'seconds':>8}  {'proposals/s':>11}"
        f"  {'incidents':>9}  {'incidents/s':>11}"
    )
    for i in ingested:
        out.append(
            f"{i.size:>8,}  {i.new_assets:>7,}  {i.proposals:>9,}  {i.seconds:>8.1f}  "
            f"{i.proposals / i.seconds:>11.0f}  {i.incidents:>9,}  "
            f"{i.incidents / i.incident_seconds:>11.0f}"
        )
    out += ["", "Queries (hasActiveIncidents=true, count 10, with facets):", ""]
    out.append(
        f"{'query':<26}  {'assets':>8}  {'matches':>7}  {'req/s':>7}  {'p50 ms':>8}  "
        f"{'p99 ms':>8}  {'errors':>6}  {'resp B':>7}"
    )
    names = list(dict.fromkeys(name for name, _ in measured))
    for name in names:
        for size in args.sizes:
            s = measured.get((name, size))
            if s is None:
                continue
            out.append(
                f"{name:<26}  {size:>8,}  {s['total']:>7}  {s['rps']:>7.0f}  "
                f"{ms(s['p50_ms']):>8}  {ms(s['p99_ms']):>8}  {s['errors']:>6}  "
                f"{s['response_bytes']:>7}"
            )
    first, last = args.sizes[0], args.sizes[-1]
    if first != last:
        out += ["", f"p99 growth from {first:,} to {last:,} assets (goal < {GROWTH_GOAL:g}x):", ""]
        for name in names:
            a, b = measured.get((name, first)), measured.get((name, last))
            if a and b:
                ratio = b["p99_ms"] / a["p99_ms"]
                verdict = "met" if ratio < GROWTH_GOAL else "MISSED"
                out.append(
                    f"{name:<26}  {ms(a['p99_ms']):>8} -> {ms(b['p99_ms']):>8} ms  "
                    f"{ratio:>6.2f}x  {verdict}"
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
        ingested, measured = bench(args, Path(workdir))
    print()
    print(tables(args, ingested, measured))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BenchError, DatabaseSetupError, servers.ServerError) as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        sys.exit(1)
