"""`make fuzz`: many generated GraphQL requests through a real `dataflare serve`, on SQLite and then
on PostgreSQL (when DATAFLARE_TEST_POSTGRES_URL names a server: a database of its own is created
there and dropped after). Prints the counts as it goes, then each failure with the request that
caused it; exits 1 if there was any.

    .venv/bin/python -m tests.fuzz.run [--examples 50000] [--seed 1] [--database sqlite]
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import httpx
from hypothesis import HealthCheck, Phase, given, seed, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import ADMIN_TOKEN
from tests.e2e.server import Server, dataflare_env
from tests.fuzz import seed as catalog
from tests.fuzz.documents import Request, graphql_requests
from tests.fuzz.tally import Tally

HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}
PROGRESS_EVERY = 2_000
PACKAGES = ["dataflare", "schemathesis", "hypothesis", "hypothesis-graphql", "graphql-core"]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=50_000, help="per database")
    parser.add_argument("--seed", type=int, default=1, help="Hypothesis' seed: same seed, same run")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args()
    # Stopped from outside (a background run): as for Ctrl-C, the server is ended and the
    # database dropped on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    postgres = os.environ.get("DATAFLARE_TEST_POSTGRES_URL")
    databases = args.database or ["sqlite", "postgresql"]
    print(", ".join(f"{name} {version(name)}" for name in PACKAGES))
    print(f"Python {platform.python_version()}, seed {args.seed}", flush=True)
    failed = False
    for database in databases:
        if database == "postgresql" and not postgres:
            print("PostgreSQL skipped: set DATAFLARE_TEST_POSTGRES_URL to fuzz it too")
            continue
        with database_url(database, postgres) as (url, described):
            print(f"\n== {described}: {args.examples} examples", flush=True)
            failed |= not fuzz(url, args.examples, args.seed)
    return 1 if failed else 0


@contextmanager
def database_url(kind: str, postgres: str | None) -> Iterator[tuple[str, str]]:
    """An empty database of the kind and a description of it; removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/fuzz.db", f"SQLite {sqlite3.sqlite_version}"
        return
    assert postgres
    server = make_url(postgres)
    name = f"dataflare_fuzz_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        server_version = connection.execute(text("SHOW server_version")).scalar()
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        yield url, f"PostgreSQL {server_version} (database {name})"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fuzz(url: str, examples: int, seed_value: int) -> bool:
    """Seed a fresh server and send it `examples` generated requests; True when none failed."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        env = dataflare_env(home, url, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN)
        server = Server(env, log=home / "server.log")
        try:
            server.wait_ready()
            with httpx.Client(base_url=server.url, timeout=60) as client:
                tally = send_all(client, server, examples, seed_value)
        finally:
            log = server.stop()
    print(f"\n{tally.summary()}")
    for number, failure in enumerate(tally.failures, start=1):
        print(f"\n-- failure {number}: {failure}")
    if tally.failures:
        print(f"\n-- the server's log:\n{log[-20_000:]}")
    return not tally.failures


def send_all(client: httpx.Client, server: Server, examples: int, seed_value: int) -> Tally:
    known = catalog.seed(client)
    tally = Tally()
    started = time.monotonic()

    @seed(seed_value)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # no shrinking: a failure is recorded and the run goes on
        suppress_health_check=list(HealthCheck),
    )
    @given(graphql_requests(known))
    def send(request: Request) -> None:
        try:
            response = client.post("/api/graphql", content=request.body(), headers=HEADERS)
        except httpx.TransportError as error:
            if server.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {error}") from error
            tally.record(request, 0, f"no answer: {error!r}".encode())
        else:
            failure = tally.record(request, response.status_code, response.content)
            if failure:
                print(f"FAILURE {failure}", flush=True)
        if tally.sent % PROGRESS_EVERY == 0:
            elapsed = time.monotonic() - started
            print(f"{elapsed:7.0f}s {tally.summary()}", flush=True)

    send()
    print(f"{time.monotonic() - started:.0f}s for {tally.sent} requests", flush=True)
    return tally


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("stopped before the end")
