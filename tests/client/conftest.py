"""A real `dataflare serve` per test module and database, and helpers to feed it.

One server serves a whole module, so each test names assets of its own (`fresh_dataset`)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataflare.client import DataflareClient
from tests.conftest import BACKENDS, empty_postgres
from tests.e2e.server import DATAFLARE, Server, dataflare_env

TOKEN = "client-tests-admin-token"


@dataclass
class LiveServer:
    url: str
    database_url: str
    home: Path
    backend: str

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a command run against this server's database."""
        return dataflare_env(self.home, self.database_url, **extra)

    def ingest(self, *proposals: dict[str, Any]) -> None:
        response = httpx.post(
            f"{self.url}/aspects?action=ingestProposalBatch",
            json={"proposals": list(proposals)},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 200, response.text

    def token_of(self, user: str, role: str) -> str:
        """A token of a new user with this role, made with the command line."""
        env = self.env()
        added = subprocess.run(
            [DATAFLARE, "users", "add", user, "--role", role, "--no-password"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert added.returncode == 0, added.stderr
        created = subprocess.run(
            [DATAFLARE, "tokens", "create", "--user", user, "--name", "tests"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert created.returncode == 0, created.stderr
        return created.stdout.strip()


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("server")
    if request.param == "sqlite":
        shutil.copy(sqlite_template, home / "dataflare.db")
        database_url = f"sqlite:///{home / 'dataflare.db'}"
        extra: tuple[str, ...] = ()
    else:
        database_url = request.getfixturevalue("postgres_database")
        empty_postgres(database_url)
        extra = ("--workers", "2")  # concurrent raises reach the database from two processes
    server = Server(dataflare_env(home, database_url, DATAFLARE_ADMIN_TOKEN=TOKEN), *extra)
    try:
        server.wait_ready()
        yield LiveServer(server.url, database_url, home, request.param)
    finally:
        server.stop()


@pytest.fixture
def sdk(live: LiveServer) -> Iterator[DataflareClient]:
    with DataflareClient(live.url, TOKEN) as client:
        yield client


@pytest.fixture
def fresh_dataset() -> str:
    """A dataset no other test names."""
    return f"urn:li:dataset:(urn:li:dataPlatform:hive,t_{uuid.uuid4().hex[:10]},PROD)"
