"""Start the servers under test as separate processes, and always stop them."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BIN_DIR = Path(sys.executable).parent  # the project's virtualenv: bench/run.py runs on it
STARTUP_TIMEOUT_S = 60.0  # migrations on a fresh PostgreSQL database take a few seconds
STOP_TIMEOUT_S = 10.0


class ServerError(RuntimeError):
    pass


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    pid: int
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _health_ok(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def tail(log: Path, lines: int = 30) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@contextmanager
def serve(name: str, command: list[str], env: dict[str, str], log: Path) -> Iterator[Server]:
    """Run `command` until the block ends; it is ready once GET /health answers 200."""
    port = free_port()
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _health_ok(port):
            if process.poll() is not None:
                raise ServerError(f"{name} exited with {process.returncode}:\n{tail(log)}")
            if time.monotonic() > deadline:
                raise ServerError(f"{name} did not answer /health in time:\n{tail(log)}")
            time.sleep(0.1)
        yield Server(name, port, process.pid, log)
    finally:
        process.terminate()  # uvicorn shuts down cleanly on SIGTERM
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def dataflare(
    home: Path,
    token: str,
    database_url: str | None,
    *,
    workers: int = 1,
    notify: bool = True,
    env: dict[str, str] | None = None,
    name: str = "dataflare",
) -> AbstractContextManager[Server]:
    """`dataflare serve` on SQLite in `home`, or on `database_url`; `notify=False` leaves
    delivery to `dataflare worker` processes (delivery_workers)."""
    return serve(
        name,
        _dataflare_command(workers, notify),
        _env(home, token, database_url, env),
        home / f"{name.replace(' ', '-')}.log",
    )


def _dataflare_command(workers: int, notify: bool) -> list[str]:
    command = [str(BIN_DIR / "dataflare"), "serve", "--workers", str(workers)]
    return command if notify else [*command, "--no-notify"]


def _env(
    home: Path, token: str, database_url: str | None, extra: dict[str, str] | None
) -> dict[str, str]:
    env = dict(os.environ, DATAFLARE_HOME=str(home), DATAFLARE_ADMIN_TOKEN=token, **(extra or {}))
    env.pop("DATAFLARE_DATABASE_URL", None)  # SQLite in `home` unless asked otherwise
    if database_url:
        env["DATAFLARE_DATABASE_URL"] = database_url
    return env


@contextmanager
def delivery_workers(
    home: Path, token: str, database_url: str | None, count: int, env: dict[str, str] | None
) -> Iterator[list[int]]:
    """`count` `dataflare worker` processes on the same database, stopped at the end; their
    pids."""
    processes = []
    try:
        for number in range(count):
            with (home / f"worker-{number}.log").open("wb") as log_file:
                processes.append(
                    subprocess.Popen(
                        [str(BIN_DIR / "dataflare"), "worker"],
                        env=_env(home, token, database_url, env),
                        stdin=subprocess.DEVNULL,
                        stdout=log_file,
                        stderr=subprocess.STDOUT,
                    )
                )
        time.sleep(1.0)  # a worker that cannot start says so at once
        for number, process in enumerate(processes):
            if process.poll() is not None:
                log = tail(home / f"worker-{number}.log")
                raise ServerError(f"dataflare worker exited with {process.returncode}:\n{log}")
        yield [process.pid for process in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def receiver_stats(port: int) -> dict[str, int]:
    """What bench/receiver.py has been sent: {"received": n, "distinct": event ids}."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/stats")
        stats: dict[str, int] = json.loads(connection.getresponse().read())
        return stats
    finally:
        connection.close()


@contextmanager
def receiver() -> Iterator[tuple[int, int]]:
    """bench/receiver.py, a webhook receiver in a process of its own: its port and pid."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / "receiver.py"), str(port)], stdin=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                receiver_stats(port)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise ServerError("the webhook receiver did not start") from None
                time.sleep(0.1)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(STOP_TIMEOUT_S)


def noop(workdir: Path, on_the_loop: bool = False) -> AbstractContextManager[Server]:
    """The no-op baseline: answering in a worker thread as Dataflare does, or on the event loop."""
    name = "no-op loop" if on_the_loop else "no-op"
    command = [sys.executable, str(BENCH_DIR / "noop_app.py")]
    command += ["--event-loop"] if on_the_loop else []
    return serve(name, command, dict(os.environ), workdir / f"{name.replace(' ', '-')}.log")
