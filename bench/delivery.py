"""`make bench` (delivery part): how many webhook deliveries one notification worker makes a
second, to a local receiver, on SQLite or PostgreSQL.

1. A fresh database (a SQLite file, or a throwaway PostgreSQL database) gets a catalog of
   `--assets` datasets (2,000), each with two owners out of 300 users (every tenth also a
   group), and lineage: dataset i feeds datasets 2i+1 and 2i+2 (a binary tree, so an asset has
   up to 14 downstream assets within the default 3 hops).
2. `--incidents` incidents (5,000) are raised on those datasets, at random, through the
   incidents service, committed 200 to a transaction: the outbox then holds one event each.
3. bench/receiver.py starts in a process of its own (uvicorn, keep-alive, answers 204).
4. One worker (dataflare.notifications.worker.Worker, in this process) runs round after round
   until the queue is empty: routing, owners and lineage, claiming, signing, sending and
   recording. Timed from its first round to its last, and checked: every event delivered once.

Prints deliveries/s. `--profile` prints the worker's cProfile (top functions by own time).

    .venv/bin/python bench/delivery.py [--postgres [URL]] [--incidents N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from typing import Any

import servers
from cpu import process_cpu
from pgdb import add_postgres_option, temporary_database
from sqlalchemy import func, select, text

from dataflare.catalog import service as catalog
from dataflare.db.database import Database
from dataflare.db.migrate import upgrade
from dataflare.incidents import service as incidents
from dataflare.notifications.config import NotificationConfig, parse
from dataflare.notifications.models import DONE, NotificationDelivery
from dataflare.notifications.settings_file import Table
from dataflare.notifications.worker import Worker

USERS = 300
ACTOR = "urn:li:corpuser:pipeline"
RAISES_PER_TRANSACTION = 200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_postgres_option(parser)
    parser.add_argument("--incidents", type=int, default=5_000)
    parser.add_argument("--assets", type=int, default=2_000)
    parser.add_argument("--profile", action="store_true", help="print the worker's profile")
    return parser.parse_args()


def dataset(i: int) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:snowflake,bench.table_{i},PROD)"


def user(i: int) -> str:
    return f"urn:li:corpuser:user{i}"


def load_catalog(database: Database, assets: int) -> None:
    """The assets, their owners and lineage (see the module's docstring)."""
    with database.session(write=True) as session:
        catalog.upsert_actor(session, ACTOR, display_name="Pipeline")
        for i in range(USERS):
            catalog.upsert_actor(
                session,
                user(i),
                display_name=f"User {i}",
                email=f"user{i}@example.com",
                slack=f"U{i:08d}",
            )
        catalog.upsert_actor(session, "urn:li:corpGroup:data", display_name="Data")
        for i in range(assets):
            catalog.set_properties(session, dataset(i), f"table_{i}", f"Table number {i}")
            owners = [(user((7 * i) % USERS), "TECHNICAL_OWNER"), (user((11 * i + 3) % USERS), "")]
            if i % 10 == 0:
                owners.append(("urn:li:corpGroup:data", "BUSINESS_OWNER"))
            catalog.set_owners(session, dataset(i), owners)
            if i > 0:
                up = dataset((i - 1) // 2)
                catalog.set_lineage(session, dataset(i), "upstreamLineage", [(up, dataset(i))])


def raise_incidents(database: Database, count: int, assets: int) -> None:
    chosen = random.Random(42)
    for start in range(0, count, RAISES_PER_TRANSACTION):
        with database.session(write=True) as session:
            for n in range(start, min(count, start + RAISES_PER_TRANSACTION)):
                request = incidents.RaiseRequest(
                    type="OPERATIONAL",
                    resource_urn=dataset(chosen.randrange(assets)),
                    title=f"Bench incident {n}",
                    description="Rows are missing since the last load.",
                    priority="HIGH",
                )
                incidents.raise_incident(session, ACTOR, request)


def backends_cpu(database: Database) -> dict[int, float]:
    """CPU seconds of each PostgreSQL server process serving this database (none on SQLite)."""
    if database.engine.dialect.name != "postgresql":
        return {}
    with database.session() as session:
        pids = session.scalars(
            select(text("pid"))
            .select_from(text("pg_stat_activity"))
            .where(text("datname = current_database()"))
        )
        return {pid: process_cpu(pid) for pid in pids}


def config(port: int) -> NotificationConfig:
    values: dict[str, Any] = {
        "webhooks": [{"name": "bench", "url": f"http://127.0.0.1:{port}/hook", "secrets": ["s"]}],
        "delivery": {"poll_seconds": 0.01},
    }
    return parse(Table("bench", "", values), {})


def drain(worker: Worker, profile: bool) -> tuple[float, float]:
    """Seconds for the worker to empty the queue: on the clock, and of this process's CPU."""
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not the clock
    started = time.perf_counter()
    cpu = time.process_time()
    if profiler:
        profiler.enable()
    while worker.run_once():
        pass
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats("dataflare|http|socket", 30)

    return seconds, cpu


def run(url: str, args: argparse.Namespace, label: str) -> None:
    upgrade(url)
    database = Database(url)
    with ExitStack() as stack:
        stack.callback(database.dispose)
        started = time.perf_counter()
        load_catalog(database, args.assets)
        raise_incidents(database, args.incidents, args.assets)
        print(
            f"{label}: {args.assets:,} assets, {args.incidents:,} incidents raised in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        port, receiver = stack.enter_context(servers.receiver())
        worker = Worker(database, config(port))
        receiver_before, backends_before = process_cpu(receiver), backends_cpu(database)
        seconds, cpu = drain(worker, args.profile)
        worker.close()
        receiver_cpu = process_cpu(receiver) - receiver_before
        backends_after = backends_cpu(database)
        database_cpu = sum(
            spent - backends_before.get(pid, 0.0) for pid, spent in backends_after.items()
        )
        with database.session() as session:
            done = session.scalar(
                select(func.count())
                .select_from(NotificationDelivery)
                .where(NotificationDelivery.status == DONE)
            )
        stats = servers.receiver_stats(port)
    ok = done == args.incidents == stats["received"] == stats["distinct"]
    rate = args.incidents / seconds
    print(
        f"{label}: {args.incidents:,} webhook deliveries in {seconds:.2f} s by one worker: "
        f"{rate:,.0f}/s (goal 1,000/s: {'met' if rate >= 1000 else 'NOT met'}); the worker's "
        f"CPU: {cpu:.2f} s, {1000 * cpu / args.incidents:.2f} ms a delivery "
        f"({args.incidents / cpu:,.0f}/s of CPU); done {done:,}, received "
        f"{stats['received']:,} ({stats['distinct']:,} distinct)"
        + ("" if ok else "  FAILED: not every event delivered exactly once"),
        flush=True,
    )
    others = receiver_cpu + database_cpu
    every = (cpu + others) / args.incidents
    print(
        f"{label}: CPU a delivery: worker {1000 * cpu / args.incidents:.2f} ms, receiver "
        f"{1000 * receiver_cpu / args.incidents:.2f} ms, PostgreSQL server "
        f"{1000 * database_cpu / args.incidents:.2f} ms; all of it {1000 * every:.2f} ms, "
        f"{1 / every:,.0f}/s were CPU the only limit. Load average: {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores",
        flush=True,
    )
    if not ok:
        sys.exit(1)


def main() -> None:
    args = parse_args()
    if args.postgres:
        with temporary_database(args.postgres) as url:
            run(url, args, "PostgreSQL")
    else:
        with tempfile.TemporaryDirectory(prefix="dataflare-bench-") as folder:
            run(f"sqlite:///{os.path.join(folder, 'bench.db')}", args, "SQLite")


if __name__ == "__main__":
    main()
