"""A database error is logged with its statement but never with its values: those include
the hashes that stand for access tokens and web sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from dataflare.access.sessions import COOKIE_NAME
from dataflare.access.tokens import hash_secret
from dataflare.db.database import Database
from tests.access.helpers import PASSWORD, user_with_token
from tests.web.conftest import sign_in


@contextmanager
def tables_away(db: Database, *tables: str) -> Iterator[None]:
    """The tables renamed for a while: each statement on them fails in the database."""
    with db.engine.begin() as connection:
        for table in tables:
            connection.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))
    try:
        yield
    finally:
        with db.engine.begin() as connection:
            for table in tables:
                connection.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))


def test_a_failed_statement_is_logged_without_its_secret_values(
    client: TestClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    token = user_with_token(db, "ann", "Editor", PASSWORD)
    sign_in(client, "ann")
    session_secret = client.cookies[COOKIE_NAME].rsplit(".", 2)[0]  # secret.time.signature

    with tables_away(db, "access_tokens", "web_sessions"):
        api = client.post(
            "/api/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        page = client.get("/")

    assert api.status_code == 500 and page.status_code == 500
    logged = caplog.text
    assert "access_tokens.token_hash" in logged  # the failed statements are there...
    assert "web_sessions.session_hash" in logged
    for secret in (token, session_secret):  # ...but not what they were given
        assert secret not in logged
        assert hash_secret(secret) not in logged
