"""GET /ready on a real `dataflare serve`: ready when the database answers at the schema this
code expects; 503 saying which when it is behind on migrations or cannot be reached."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy.engine import make_url

from dataflare.db.migrate import alembic_config
from dataflare.db.readiness import expected_revision
from tests.conftest import ADMIN_TOKEN
from tests.e2e.scrape import scrape, value
from tests.e2e.server import dataflare_env, serving
from tests.e2e.tcp_proxy import Relay


def test_ready_without_a_token(database_url: str, tmp_path: Path) -> None:
    with serving(dataflare_env(tmp_path, database_url), "--no-notify") as server:
        answer = httpx.get(f"{server.url}/ready")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ready"}


def test_a_database_behind_on_migrations_is_not_ready(database_url: str, tmp_path: Path) -> None:
    config = alembic_config(database_url)
    with serving(dataflare_env(tmp_path, database_url), "--no-notify") as server:
        try:
            command.downgrade(config, "-1")
            behind = httpx.get(f"{server.url}/ready")
            health = httpx.get(f"{server.url}/health")
        finally:
            command.upgrade(config, "head")  # the database is shared with the next tests
        again = httpx.get(f"{server.url}/ready")

    assert behind.status_code == 503
    body = behind.json()
    assert body["status"] == "unavailable"
    assert body["expected"] == expected_revision() and body["revision"] != expected_revision()
    assert body["reason"] == (
        f"migration revision {body['revision']} where {expected_revision()} is expected"
    )
    assert health.status_code == 200  # alive, only not ready
    assert again.status_code == 200


def test_an_unreachable_database_is_not_ready(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("a SQLite file is always within reach")
    url = make_url(database_url)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    through_relay = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    env = dataflare_env(tmp_path, through_relay, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN)
    try:
        with serving(env, "--no-notify") as server:
            ready = httpx.get(f"{server.url}/ready")
            relay.close()
            unreachable = httpx.get(f"{server.url}/ready")
            health = httpx.get(f"{server.url}/health")
            # DATAFLARE_ADMIN_TOKEN is checked without the database: the scrape answers
            scraped = scrape(f"{server.url}/metrics")
    finally:
        relay.close()

    assert ready.status_code == 200
    assert unreachable.status_code == 503
    assert unreachable.json() == {"status": "unavailable", "reason": "database unreachable"}
    assert health.status_code == 200
    assert value(scraped, "dataflare_database_up") == 0
