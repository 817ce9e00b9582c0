"""Start a real `dataflare serve` process for end-to-end tests."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

DATAFLARE = str(Path(sys.executable).parent / "dataflare")


# Under pytest-xdist each worker hands out ports from its own range, below the kernel's
# ephemeral ports: a port is free when given out but bound by its server only later, and two
# workers asking the kernel could be given the same one in between.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_RANGE = 12_000 // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)  # 20000..31999
_FIRST = 20_000 + int(_WORKER.removeprefix("gw") or 0) * _RANGE
_next = itertools.count()


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    if not _WORKER:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
            return port
    for _ in range(_RANGE):
        port = _FIRST + next(_next) % _RANGE
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use, or still closing
            return port
    raise RuntimeError(f"no free port in {_FIRST}..{_FIRST + _RANGE - 1}")


def dataflare_env(home: Path, database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATAFLARE_HOME": str(home),
        "DATAFLARE_DATABASE_URL": database_url,
        **extra,
    }


class Server:
    """A `dataflare serve` child process; stop() always ends it.

    Its output is read when it stops; a server that may print more than a pipe holds while it
    runs (a long run's errors) writes to a `log` file instead."""

    def __init__(
        self,
        env: dict[str, str],
        *args: str,
        dataflare: str = DATAFLARE,
        log: Path | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        output = log.open("w") if log else None
        self.process = subprocess.Popen(
            [dataflare, "serve", "--port", str(self.port), *args],
            env=env,
            stdout=output or subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if output:
            output.close()  # the child has its own copy

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dataflare serve exited early:\n{self.stop()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise TimeoutError(f"dataflare serve did not answer on {self.url} in {timeout}s")

    def stop(self) -> str:
        """End the process and return what it printed."""
        self.process.terminate()
        try:
            output, _ = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return self.log.read_text() if self.log else output or ""


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[Server]:
    """A ready `dataflare serve`, stopped on the way out."""
    running = Server(env, *args)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()
