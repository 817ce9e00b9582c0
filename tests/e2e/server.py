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
    """A `dataflare serve` child process; stop() always ends it."""

    def __init__(self, env: dict[str, str], *args: str, dataflare: str = DATAFLARE) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [dataflare, "serve", "--port", str(self.port), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read() if self.process.stdout else ""
                raise RuntimeError(f"dataflare serve exited early:\n{output}")
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
        return output or ""


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[Server]:
    """A ready `dataflare serve`, stopped on the way out."""
    running = Server(env, *args)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()
