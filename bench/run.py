"""`make bench`: Dataflare against a no-op GraphQL server on the same stack, same requests.

Starts both servers as separate processes, then for each scenario runs the load generator
(bench/load.py, a third process) against Dataflare and against the no-op, and prints a table.
Exits 1 if any request failed: figures measured on errors mean nothing.

    .venv/bin/python bench/run.py [--duration 5] [--warmup 1] [--concurrency 16] [--postgres [URL]]
        [--workers N] [--delivery-workers N] [--webhook] [--with-sqlite] [--scenarios A,B]

On PostgreSQL it also runs pgbench's TPC-B-like script on the same server (bench/pgbench.py).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pgbench
import servers
from cpu import named_cpu, spent_since, tree_cpu
from loadgen import BenchError, run_load
from pgdb import DatabaseSetupError, add_postgres_option, temporary_database
from report import Result, goal_line, postgres_goal_lines, spread_goal_lines, table
from scenarios import GRAPHQL_PATH, SCENARIOS, request_body


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="cap per run")
    add_postgres_option(parser)
    parser.add_argument(
        "--workers", type=int, default=1, help="Dataflare server processes (>1: PostgreSQL only)"
    )
    parser.add_argument(
        "--delivery-workers",
        type=int,
        default=0,
        help="separate `dataflare worker` processes; with any, the server delivers nothing itself",
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="a webhook to a local receiver (bench/receiver.py), so every raise is delivered",
    )
    parser.add_argument(
        "--with-sqlite",
        action="store_true",
        help="with --postgres: Dataflare on SQLite too, in the same run, to compare the two",
    )
    parser.add_argument(
        "--no-pgbench", action="store_true", help="with --postgres: leave pgbench out"
    )
    parser.add_argument(
        "--no-noop",
        action="store_true",
        help="leave the no-op baselines out: for long runs comparing Dataflare's own scenarios",
    )
    parser.add_argument(
        "--scenarios",
        type=_scenarios,
        default=list(SCENARIOS),
        help=f"comma-separated, in run order (default: all of {','.join(SCENARIOS)})",
    )
    args = parser.parse_args()
    if not (0 < args.duration <= 600 and 0 <= args.warmup <= 60 and 1 <= args.concurrency <= 256):
        parser.error("keep to 0 < duration <= 600, 0 <= warmup <= 60, 1 <= concurrency <= 256")
    if not (1 <= args.workers <= 16 and 0 <= args.delivery_workers <= 16):
        parser.error("keep to 1 <= --workers <= 16 and 0 <= --delivery-workers <= 16")
    if args.workers > 1 and not args.postgres:
        parser.error("--workers above 1 needs --postgres: SQLite is served by one process")
    if args.with_sqlite and not args.postgres:
        parser.error("--with-sqlite compares with --postgres: give both")
    return args


def _scenarios(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown scenario(s) {', '.join(unknown) or '(none given)'}; "
            f"known: {', '.join(SCENARIOS)}"
        )
    return names


def post(port: int, scenario: str, token: str) -> dict[str, Any]:
    """One request, to check a server answers the scenario without errors before loading it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection.request("POST", GRAPHQL_PATH, request_body(scenario), headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    answer: dict[str, Any] = json.loads(body) if body.startswith(b"{") else {}
    if response.status != 200 or "errors" in answer or "data" not in answer:
        raise BenchError(f"{scenario} on port {port}: HTTP {response.status}: {body[:500]!r}")
    return answer


def load(port: int, scenario: str, token: str, args: argparse.Namespace) -> dict[str, Any]:
    return run_load(port, f"--scenario={scenario}", token, args)


def bench(args: argparse.Namespace, workdir: Path) -> tuple[list[Result], str]:
    """The results, and the tail of the servers' logs (read before they stop)."""
    token = secrets.token_urlsafe(24)
    with ExitStack() as stack:
        database_url = None
        if args.postgres:
            database_url = stack.enter_context(temporary_database(args.postgres))
        hooks = Hooks(stack, args.webhook)
        targets = {
            "dataflare": stack.enter_context(
                servers.dataflare(
                    workdir,
                    token,
                    database_url,
                    workers=args.workers,
                    notify=not args.delivery_workers,
                    env=hooks.env("dataflare"),
                )
            )
        }
        worker_pids = stack.enter_context(
            servers.delivery_workers(
                workdir, token, database_url, args.delivery_workers, hooks.env("dataflare")
            )
        )
        if args.with_sqlite:
            (workdir / "sqlite").mkdir()
            targets["on sqlite"] = stack.enter_context(
                servers.dataflare(
                    workdir / "sqlite", token, None, env=hooks.env("on sqlite"), name="on sqlite"
                )
            )
        if not args.no_noop:
            targets["no-op"] = stack.enter_context(servers.noop(workdir))
            targets["no-op loop"] = stack.enter_context(servers.noop(workdir, on_the_loop=True))
        try:
            results = run_scenarios(targets, token, args, worker_pids)
        except BenchError as error:
            raise BenchError(f"{error}\n{server_logs(targets)}") from error
        hooks.report()
        return results, server_logs(targets)


def run_scenarios(
    targets: dict[str, servers.Server],
    token: str,
    args: argparse.Namespace,
    worker_pids: list[int],
) -> list[Result]:
    for name, server in targets.items():  # e.g. to attach a profiler: py-spy record -p PID
        print(f"  {name}: pid {server.pid}, port {server.port}", file=sys.stderr)
    results = []
    for scenario in args.scenarios:
        for target, server in targets.items():
            post(server.port, scenario, token)
            print(f"  {scenario} on {target} ...", file=sys.stderr, flush=True)
            results.append(measured(scenario, target, server, token, args, worker_pids))
    for target in ("dataflare", "on sqlite"):
        if target in targets and "dataset.incidents" in args.scenarios:
            answer = post(targets[target].port, "dataset.incidents", token)
            total = answer["data"]["dataset"]["incidents"]["total"]
            print(f"  the dataset ended with {total} active incidents ({target})", file=sys.stderr)
    return results


def measured(
    scenario: str,
    target: str,
    server: servers.Server,
    token: str,
    args: argparse.Namespace,
    worker_pids: list[int],
) -> Result:
    """One load run, with the CPU the server (all its processes), the delivery workers and
    PostgreSQL's processes spent on it, per request."""
    workers = worker_pids if target == "dataflare" else []
    before = tree_cpu(server.pid), named_cpu("postgres"), _cpu_of(workers)
    stats = load(server.port, scenario, token, args)
    after = tree_cpu(server.pid), named_cpu("postgres"), _cpu_of(workers)
    answered = max(1, int(stats["answered"]))
    for key, start, end in zip(
        ("server_cpu", "postgres_cpu", "worker_cpu"), before, after, strict=True
    ):
        stats[f"{key}_ms"] = 1000 * spent_since(start, end) / answered
    return Result(scenario, target, stats)


def _cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: seconds for one in pids for pid, seconds in tree_cpu(one).items()}


class Hooks:
    """With --webhook, a receiver (bench/receiver.py) for each Dataflare target, so that each
    one's deliveries are counted apart."""

    def __init__(self, stack: ExitStack, enabled: bool) -> None:
        self.stack = stack
        self.enabled = enabled
        self.ports: dict[str, int] = {}

    def env(self, target: str) -> dict[str, str]:
        if not self.enabled:
            return {}
        if target not in self.ports:
            self.ports[target], _ = self.stack.enter_context(servers.receiver())
        return {
            "DATAFLARE_WEBHOOK_URL": f"http://127.0.0.1:{self.ports[target]}/hook",
            "DATAFLARE_WEBHOOK_SECRETS": "bench",
        }

    def report(self) -> None:
        """Wait for the deliveries to stop coming (at most 120 s), then say how many came."""
        for target, port in self.ports.items():
            last, quiet_since, deadline = -1, time.monotonic(), time.monotonic() + 120
            while time.monotonic() < deadline and time.monotonic() - quiet_since < 3:
                received = servers.receiver_stats(port)["received"]
                if received != last:
                    last, quiet_since = received, time.monotonic()
                time.sleep(0.25)
            stats = servers.receiver_stats(port)
            print(
                f"  {target}: webhook deliveries received: {stats['received']:,} "
                f"({stats['distinct']:,} distinct events)",
                file=sys.stderr,
            )
            if stats["received"] != stats["distinct"]:  # no worker was killed: none may repeat
                raise BenchError(f"{target}: an event was delivered more than once")


def server_logs(targets: dict[str, servers.Server]) -> str:
    parts = []
    for name, server in targets.items():
        tail = servers.tail(server.log)
        if tail.strip():
            parts.append(f"--- last lines of the {name} server's log ---\n{tail}")
    return "\n".join(parts)


def rerun_writes(log: Path) -> int:
    """What the stopped server said of writes run again (it says nothing when there were none)."""
    found = re.search(r"group commit: (\d+) writes were run again", log.read_text(errors="replace"))
    return int(found.group(1)) if found else 0


def main() -> int:
    args = parse_args()
    database = "postgresql" if args.postgres else "sqlite"
    print(
        f"Dataflare benchmark, {datetime.date.today()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {database}, concurrency {args.concurrency}, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per run",
        flush=True,
    )
    # Other work on the machine skews the figures: show how busy it was before starting.
    print("load average before the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="dataflare-bench-") as workdir:
        results, logs = bench(args, Path(workdir))
        # the SQLite server's log: the one beside PostgreSQL, or the one under test
        sqlite_log = "sqlite/on-sqlite.log" if args.with_sqlite else "dataflare.log"
        reruns = rerun_writes(Path(workdir) / sqlite_log)
    tps = hot_row = None
    if args.postgres and not args.no_pgbench:
        print("  pgbench on the same server ...", file=sys.stderr, flush=True)
        tps = pgbench.tpcb_tps(args.postgres, args.duration)
        hot_row = pgbench.hot_row_tps(args.postgres, args.duration, args.concurrency)
    print()
    print(table(results))
    print()
    if not args.no_noop:
        print(goal_line(results, database))
    for line in spread_goal_lines(results):
        print(line)
    if args.postgres:
        for line in postgres_goal_lines(results, tps, hot_row, args.concurrency):
            print(line)
    if database == "sqlite" or args.with_sqlite:
        print(f"group commit: {reruns} writes run again after a failed batch commit (expected 0)")
    errors = sum(int(r.stats["errors"]) for r in results)
    if errors:
        print(
            f"\nFAILED: {errors} request(s) failed; the figures above are not valid.",
            file=sys.stderr,
        )
        for r in results:
            for sample in r.stats["error_samples"]:
                print(f"  {r.scenario} on {r.target}: {sample}", file=sys.stderr)
        print(logs, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BenchError, DatabaseSetupError, servers.ServerError, pgbench.PgbenchError) as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        sys.exit(1)
