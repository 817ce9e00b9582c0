"""A change from the web UI commits before its page is read and rendered, and a login checks
its password outside any transaction: meanwhile, other writers go ahead. Checked with real
writers on other connections, on SQLite (one writer at a time) and PostgreSQL (row locks)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import argon2
import pytest
from sqlalchemy import Engine, event, func, select, text, update
from starlette.testclient import TestClient

from dataflare.access.models import LoginFailure, User
from dataflare.db.database import Database
from dataflare.incidents.models import INCIDENTS
from tests.access.helpers import PASSWORD, user_with_token
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.web.conftest import sign_in
from tests.web.test_views import ASSET

WAIT_S = 3.0


def another_writer(db: Database, incident_urn: str | None = None) -> bool:
    """Whether a write on another connection gets through within WAIT_S seconds (it is left to
    finish in its own time if not): to the incident a change wrote to, or else to a user."""
    done = threading.Event()

    def write() -> None:
        with db.session(write=True) as session:
            if incident_urn is None:
                session.execute(update(User).where(User.name == "ann").values(role=User.role))
            else:
                touch = update(INCIDENTS).where(INCIDENTS.c.urn == incident_urn)
                session.execute(touch.values(title=INCIDENTS.c.title))
        done.set()

    threading.Thread(target=write, daemon=True).start()
    return done.wait(WAIT_S)


@contextmanager
def at_first(engine: Engine, marker: str, probe: Any) -> Iterator[list[Any]]:
    """Run `probe()` when the first statement naming `marker` is about to run; its answers."""
    answers: list[Any] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if marker in statement and not answers:
            answers.append(probe())

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield answers
    finally:
        event.remove(engine, "before_cursor_execute", listen)


@pytest.fixture
def editor(client: TestClient, db: Database) -> str:
    user_with_token(db, "ann", "Editor", PASSWORD)
    return sign_in(client, "ann")


def test_a_change_commits_before_its_page_is_rendered(
    client: TestClient, db: Database, editor: str, gql: GraphQL
) -> None:
    urn = gql.data(RAISE, {"input": {"type": "FRESHNESS", "resourceUrn": ASSET}})["raiseIncident"]
    resolve = {"csrf_token": editor, "urn": urn, "state": "RESOLVED", "asset": ASSET}

    # The asset page after the change reads the asset's lineage; the change itself never does.
    def probe() -> bool:
        return another_writer(db, urn)

    with at_first(db.engine, "lineage_edges", probe) as got_through:
        resolved = client.post("/incident/status", data=resolve, headers={"HX-Request": "true"})

    assert resolved.status_code == 200 and "There are no active incidents" in resolved.text
    assert got_through == [True]


def open_transactions(db: Database) -> int:
    """PostgreSQL: the other connections to this database inside a transaction."""
    with db.engine.connect() as connection:
        found = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
            )
        )
    return int(found or 0)


def test_a_login_checks_the_password_outside_any_transaction(
    client: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_with_token(db, "ann", "Editor", PASSWORD)
    seen: list[tuple[bool, int]] = []
    verify = argon2.PasswordHasher.verify

    def watched(hasher: argon2.PasswordHasher, stored: Any, password: Any) -> Any:
        postgres = db.engine.dialect.name == "postgresql"
        seen.append((another_writer(db), open_transactions(db) if postgres else 0))
        return verify(hasher, stored, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", watched)  # the library's, watched

    sign_in(client, "ann")

    assert seen == [(True, 0)]


def failures(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(LoginFailure)) or 0


def test_a_login_counts_before_its_password_is_checked(
    client: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_with_token(db, "ann", "Editor", PASSWORD)
    counted: list[int] = []
    verify = argon2.PasswordHasher.verify

    def watched(hasher: argon2.PasswordHasher, stored: Any, password: Any) -> Any:
        counted.append(failures(db))  # guesses sent at once would all see it
        return verify(hasher, stored, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", watched)

    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    wrong = {"username": "ann", "password": "not it", "csrf_token": token.group(1)}
    assert client.post("/login", data=wrong).status_code == 401
    after_wrong = failures(db)
    sign_in(client, "ann")

    assert counted == [1, 2]
    assert after_wrong == 1
    assert failures(db) == 0  # a login that succeeds clears the account's failures
