"""What the DataHub SDK tests share: the SDK's own environment (its pins never meet ours), and a
real Dataflare server that knows the SDK's token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
