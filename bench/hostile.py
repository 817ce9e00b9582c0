"""`make bench` (hostile part): what hostile requests cost a real `dataflare serve`.

- an unauthenticated 6 MB GraphQL document of 3 million tokens, sent with its length and sent
  chunked (no length), each while another connection keeps asking GET /health: the time to the
  refusal, and the slowest /health answer meanwhile;
- 1,000 unauthenticated 1 MB requests: how much the server process grows (its resident size);
- with a Reader's token: `lineage` nested 14 deep, and 2,000 aliases of one field.

    .venv/bin/python bench/hostile.py [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import servers
from pgdb import add_postgres_option, temporary_database

KAFKA = "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"
BIG_DOCUMENT = ("{" + " __typename" * 3_000_000 + " }").encode()[: 6 * 1024 * 1024]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_postgres_option(parser)
    return parser.parse_args()


def post(
    port: int, body: bytes | Iterator[bytes], token: str | None, chunked: bool = False
) -> tuple[int, float, str]:
    """(status, seconds, first error message) of one POST /api/graphql."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    try:
        connection.request(
            "POST", "/api/graphql", body=body, headers=headers, encode_chunked=chunked
        )
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
    except (BrokenPipeError, ConnectionResetError):  # refused before the whole body was sent
        return 0, time.perf_counter() - started, "connection closed by the server"
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    try:
        message = json.loads(text)["errors"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        message = ""
    return response.status, elapsed, message


def health_meanwhile(port: int, stop: threading.Event, slowest: list[float]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        started = time.perf_counter()
        connection.request("GET", "/health")
        connection.getresponse().read()
        slowest[0] = max(slowest[0], time.perf_counter() - started)
        time.sleep(0.002)
    connection.close()


def refused_while_healthy(port: int, chunked: bool, token: str | None = None) -> str:
    stop, slowest = threading.Event(), [0.0]
    watcher = threading.Thread(target=health_meanwhile, args=(port, stop, slowest))
    watcher.start()
    time.sleep(0.05)
    body: bytes | Iterator[bytes] = BIG_DOCUMENT
    if chunked:
        body = (BIG_DOCUMENT[i : i + 65536] for i in range(0, len(BIG_DOCUMENT), 65536))
    status, elapsed, message = post(port, body, token, chunked)
    time.sleep(0.05)
    stop.set()
    watcher.join()
    how = "chunked" if chunked else "with its length"
    who = "a wrong token" if token else "no token"
    return (
        f"| 6 MB, 3M tokens, {who}, {how} | {status} in {elapsed * 1000:.1f} ms "
        f"| slowest /health meanwhile {slowest[0] * 1000:.1f} ms | {message[:60]} |"
    )


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def server_pid(launcher_pid: int) -> int:
    """The uvicorn process: `dataflare serve` runs it in its own process, or is it."""
    children = subprocess.run(
        ["pgrep", "-P", str(launcher_pid)], capture_output=True, text=True
    ).stdout.split()
    return int(children[0]) if children else launcher_pid


def growth(port: int, pid: int, requests: int = 1000) -> str:
    body = b'{"query": "{' + b" __typename" * 95_000 + b' }"}'  # about 1 MB
    before = resident_kib(pid)
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    for i in range(requests):
        token = None if i % 2 == 0 else "not-a-token"
        status, _, _ = post(port, body, token)
        statuses[status] = statuses.get(status, 0) + 1
    elapsed = time.perf_counter() - started
    after = resident_kib(pid)
    answered = ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items()))
    return (
        f"| {requests} x 1 MB, no token or a wrong one | {answered} in {elapsed:.1f} s "
        f"| resident {before / 1024:.0f} -> {after / 1024:.0f} MB "
        f"(+{(after - before) / 1024:.1f} MB) | |"
    )


def reader_token(home: Path, database_url: str | None) -> str:
    env = dict(os.environ, DATAFLARE_HOME=str(home))
    if database_url:
        env["DATAFLARE_DATABASE_URL"] = database_url
    dataflare = str(servers.BIN_DIR / "dataflare")
    subprocess.run(
        [dataflare, "users", "add", "reader", "--role", "Reader", "--no-password"],
        env=env,
        check=True,
        capture_output=True,
    )
    created = subprocess.run(
        [dataflare, "tokens", "create", "--user", "reader", "--name", "bench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return created.stdout.strip()


def expensive(port: int, token: str) -> list[str]:
    inner = "urn"
    for _ in range(14):
        inner = (
            "lineage(input: {direction: UPSTREAM}) { relationships { entity { "
            f"... on Dataset {{ {inner} }} }} }} }}"
        )
    nested = f'{{ dataset(urn: "{KAFKA}") {{ {inner} }} }}'
    aliases = " ".join(f"a{i}: urn" for i in range(2000))
    alias_query = f'{{ dataset(urn: "{KAFKA}") {{ {aliases} }} }}'
    rows = []
    for name, query in (("lineage nested 14 deep", nested), ("2,000 aliases", alias_query)):
        body = json.dumps({"query": query}).encode()
        status, elapsed, message = post(port, body, token)
        rows.append(
            f"| {name} ({len(body)} bytes), a Reader's token | {status} in "
            f"{elapsed * 1000:.1f} ms | | {message[:60]} |"
        )
    return rows


def main() -> int:
    args = parse_args()
    with ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dataflare-hostile-")))
        database_url = None
        if args.postgres:
            database_url = stack.enter_context(temporary_database(args.postgres))
        admin = secrets.token_urlsafe(16)
        server = stack.enter_context(servers.dataflare(home, admin, database_url))
        token = reader_token(home, database_url)
        print(f"Hostile requests against dataflare serve on {database_url or 'SQLite'}\n")
        print("| request | answer | meanwhile | message |")
        print("|---|---|---|---|")
        print(refused_while_healthy(server.port, chunked=False))
        print(refused_while_healthy(server.port, chunked=True))
        print(refused_while_healthy(server.port, chunked=True, token="not-a-token"))
        print(growth(server.port, server_pid(server.pid)))
        for row in expensive(server.port, token):
            print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
