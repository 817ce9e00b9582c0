"""A real `dataflare serve` for each MCP test, with a known admin token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import Server, dataflare_env, serving
from tests.mcp.helpers import ADMIN


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    with serving(dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN)) as running:
        yield running
