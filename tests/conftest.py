"""Fixtures: a clean database per test, on SQLite always and on PostgreSQL when configured.

Set DATAFLARE_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run
every database test on PostgreSQL too. The tests create their own database on that server and
drop it at the end, so the database named in the URL is never touched.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from dataflare.app import create_app
from dataflare.core.config import Settings
from dataflare.db.database import Database
from dataflare.db.migrate import upgrade
from dataflare.db.readiness import expected_revision
from dataflare.db.registry import Base
from dataflare.ingest.demo import load_demo

ADMIN_TOKEN = "test-admin-token"
POSTGRES_URL = os.environ.get("DATAFLARE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(scope="session", autouse=True)
def _freeze_what_the_tests_share() -> None:
    """Modules, the schema and the other objects made before the first test live until the end:
    leave them out of the collections below, which then look at each test's objects only."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _collect_what_the_test_left(_freeze_what_the_tests_share: None) -> Iterator[None]:
    """Collect garbage as each test ends: a connection, engine or socket the test left open is
    then reported (a ResourceWarning, an error here) in that test's teardown, not at the random
    moment of a later test that happened to run the collector."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def new_postgres_database(template: str | None = None) -> Iterator[str]:
    """The URL of a new PostgreSQL database on the test server, dropped at the end: empty, or
    a copy of the database `template` names."""
    assert POSTGRES_URL
    server = make_url(POSTGRES_URL)
    name = f"dataflare_test_{uuid.uuid4().hex[:8]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run, dropped at the end."""
    with new_postgres_database() as url:
        upgrade(url)
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "dataflare.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return url


def _load_demo(url: str) -> None:
    database = Database(url)
    try:
        with database.session(write=True) as session:
            load_demo(session)
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file holding the demo data, loaded once for the run."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    shutil.copy(sqlite_template, path)
    _load_demo(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_demo_template() -> Iterator[str]:
    """A PostgreSQL database holding the demo data, loaded once for the run: each test gets a
    copy (CREATE DATABASE ... TEMPLATE), so nobody connects to it after the load."""
    with new_postgres_database() as url:
        upgrade(url)
        _load_demo(url)
        yield url


@pytest.fixture(params=BACKENDS)
def demo_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database that already holds the demo data, for servers started with `--demo` (which
    then finds it there): loading it takes seconds, copying it a moment."""
    if request.param == "sqlite":
        path = tmp_path / "dataflare.db"
        shutil.copy(request.getfixturevalue("sqlite_demo_template"), path)
        yield f"sqlite:///{path}"
        return
    template = make_url(request.getfixturevalue("postgres_demo_template"))
    with new_postgres_database(template=template.database) as url:
        yield url


def empty_postgres(url: str) -> None:
    """Remove every row the previous test left in the run's PostgreSQL database; first, make
    sure no earlier test left it at another revision (every later test would fail, far from the
    cause)."""
    engine = create_engine(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
        assert revision == expected_revision(), (
            f"an earlier test left the run's PostgreSQL database at revision {revision}: "
            "a test that migrates it must bring it back to head"
        )
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, database_url=database_url, admin_token=ADMIN_TOKEN)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db), raise_server_exceptions=False) as test_client:
        yield test_client


class GraphQL:
    """Posts GraphQL documents to the app, as the admin unless another token is given."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = ADMIN_TOKEN,
        path: str = "/api/graphql",
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.post(
            path, json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """The `data` of a request that must succeed."""
        body = self(query, variables, **kwargs)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def error(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """The single error of a request that must fail."""
        body = self(query, variables, **kwargs)
        assert len(body.get("errors", [])) == 1, body
        error: dict[str, Any] = body["errors"][0]
        return error


@pytest.fixture
def gql(client: TestClient) -> GraphQL:
    return GraphQL(client)
