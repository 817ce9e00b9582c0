"""`make bench`: Dataflare against a no-op GraphQL server on the same stack, same requests.

Starts both servers as separate processes, then for each scenario runs the load generator
(bench/load.py, a third process) against Dataflare and against the no-op, and prints a table.
Exits 1 if any request failed: figures measured on errors mean nothing.

    .venv/bin/python bench/run.py [--duration 5] [--warmup 1] [--concurrency 16] [--postgres [URL]]
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
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import servers
from loadgen import BenchError, run_load
from pgdb import DatabaseSetupError, add_postgres_option, temporary_database
from report import Result, goal_line, table
from scenarios import GRAPHQL_PATH, SCENARIOS, request_body


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="cap per run")
    add_postgres_option(parser)
    args = parser.parse_args()
    if not (0 < args.duration <= 300 and 0 <= args.warmup <= 60 and 1 <= args.concurrency <= 256):
        parser.error("keep to 0 < duration <= 300, 0 <= warmup <= 60, 1 <= concurrency <= 256")
    return args


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
        targets = {
            "dataflare": stack.enter_context(servers.dataflare(workdir, token, database_url)),
            "no-op": stack.enter_context(servers.noop(workdir)),
            "no-op loop": stack.enter_context(servers.noop(workdir, on_the_loop=True)),
        }
        try:
            results = run_scenarios(targets, token, args)
        except BenchError as error:
            raise BenchError(f"{error}\n{server_logs(targets)}") from error
        return results, server_logs(targets)


def run_scenarios(
    targets: dict[str, servers.Server], token: str, args: argparse.Namespace
) -> list[Result]:
    for name, server in targets.items():  # e.g. to attach a profiler: py-spy record -p PID
        print(f"  {name}: pid {server.pid}, port {server.port}", file=sys.stderr)
    results = []
    for scenario in SCENARIOS:
        for target, server in targets.items():
            post(server.port, scenario, token)
            print(f"  {scenario} on {target} ...", file=sys.stderr, flush=True)
            results.append(Result(scenario, target, load(server.port, scenario, token, args)))
    answer = post(targets["dataflare"].port, "dataset.incidents", token)
    total = answer["data"]["dataset"]["incidents"]["total"]
    print(f"  the dataset ended with {total} active incidents", file=sys.stderr)
    return results


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
        reruns = rerun_writes(Path(workdir) / "dataflare.log")
    print()
    print(table(results))
    print()
    print(goal_line(results, database))
    if database == "sqlite":
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
    except (BenchError, DatabaseSetupError, servers.ServerError) as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        sys.exit(1)
