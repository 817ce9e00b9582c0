"""Start a real `dataflare serve` process for end-to-end tests."""

from __future__ import annotations

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
