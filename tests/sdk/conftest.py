"""What the DataHub SDK tests share: the SDK's own environment (its pins never meet ours), and a
real Dataflare server that knows the SDK's token."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import Server, dataflare_env

ROOT = Path(__file__).parents[2]
SDK_PYTHON = ROOT / ".venv-datahub" / "bin" / "python"
TOKEN = "sdk-test-token"

needs_sdk = pytest.mark.skipif(
    not SDK_PYTHON.exists(), reason="the DataHub SDK environment is missing: run `make test`"
)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=TOKEN))
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def run_sdk_script(script: Path, server: Server, home: Path, timeout: float = 120) -> Any:
    """Run one of this folder's scripts in the SDK's environment against `server`; the JSON
    object it printed last. `home` takes the ~/.datahub the SDK writes."""
    done = subprocess.run(
        [str(SDK_PYTHON), str(script)],
        env={
            "DATAFLARE_URL": server.url,
            "DATAFLARE_TOKEN": TOKEN,
            "HOME": str(home),
            "DATAHUB_TELEMETRY_ENABLED": "false",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
