"""Browser sign-in: the form, CSRF on every post, the session cookie, GraphQL with a session,
and the limit on failed logins per account and per address."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from httpx2 import Response  # what starlette's TestClient answers with
from starlette.testclient import TestClient

from dataflare.access import sessions
from dataflare.access.models import LoginFailure
from dataflare.app import create_app
from dataflare.core.clock import now_ms
from dataflare.core.config import Settings
from dataflare.db.database import Database
from tests.access.helpers import PASSWORD, user_with_token

WHO = '{ entity(urn: "urn:li:corpuser:ann") { urn } }'


def _form_token(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def _login(client: TestClient, password: str = PASSWORD, user: str = "ann") -> int:
    token = _form_token(client)
    response = client.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    return int(response.status_code)


@pytest.fixture
def ann(db: Database) -> None:
    user_with_token(db, "ann", "Editor", PASSWORD)


def test_login_sets_a_safe_session_cookie_and_shows_who(client: TestClient, ann: None) -> None:
    token = _form_token(client)

    response = client.post(
        "/login",
        data={"username": "ann", "password": PASSWORD, "csrf_token": token, "next": "/login"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("dataflare_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert "Signed in as <strong>ann</strong> (Editor)" in client.get("/login").text


def test_over_https_the_cookie_is_secure(settings: Settings, db: Database, ann: None) -> None:
    with TestClient(create_app(settings, db), base_url="https://testserver") as client:
        token = _form_token(client)
        response = client.post(
            "/login",
            data={"username": "ann", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
    assert "Secure" in response.headers["set-cookie"]


def test_a_login_post_without_the_forms_csrf_token_is_refused(
    client: TestClient, ann: None
) -> None:
    _form_token(client)

    missing = client.post("/login", data={"username": "ann", "password": PASSWORD})
    forged = client.post(
        "/login", data={"username": "ann", "password": PASSWORD, "csrf_token": "x"}
    )

    assert (missing.status_code, forged.status_code) == (403, 403)
    assert "dataflare_session" not in client.cookies


def test_a_wrong_password_says_so_without_naming_which(client: TestClient, ann: None) -> None:
    def attempt(user: str) -> Response:
        data = {"username": user, "password": "nope-nope", "csrf_token": _form_token(client)}
        response: Response = client.post("/login", data=data)
        return response

    response, unknown = attempt("ann"), attempt("zed")

    assert response.status_code == unknown.status_code == 401
    assert "Wrong user name or password." in response.text
    assert "Wrong user name or password." in unknown.text


def test_graphql_accepts_a_session_with_its_csrf_header(client: TestClient, ann: None) -> None:
    assert _login(client) == 303
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").text)
    assert csrf

    with_header = client.post(
        "/api/graphql", json={"query": WHO}, headers={"X-CSRF-Token": csrf.group(1)}
    )
    without = client.post("/api/graphql", json={"query": WHO})
    wrong = client.post("/api/graphql", json={"query": WHO}, headers={"X-CSRF-Token": "x"})

    assert with_header.status_code == 200 and "errors" not in with_header.json()
    assert (without.status_code, wrong.status_code) == (401, 401)
    assert "X-CSRF-Token" in without.json()["errors"][0]["message"]


def test_logout_needs_the_sessions_csrf_token_and_ends_it(client: TestClient, ann: None) -> None:
    assert _login(client) == 303
    cookie = client.cookies["dataflare_session"]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert csrf

    forged = client.post("/logout", data={"csrf_token": "x"}, follow_redirects=False)
    done = client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)

    assert (forged.status_code, done.status_code) == (403, 303)
    client.cookies.set("dataflare_session", cookie)
    replay = client.post(
        "/api/graphql", json={"query": WHO}, headers={"X-CSRF-Token": csrf.group(1)}
    )
    assert replay.status_code == 401


def test_disabling_a_user_ends_their_sessions(client: TestClient, db: Database, ann: None) -> None:
    assert _login(client) == 303
    client.post(
        "/api/graphql",
        json={
            "query": 'mutation { updateCorpUserStatus(urn: "urn:li:corpuser:ann", '
            "status: SUSPENDED) }"
        },
        headers={"Authorization": "Bearer test-admin-token"},
    )

    assert "Signed in as" not in client.get("/login").text
    assert _login(client) == 401


def test_failed_logins_are_limited_per_account(client: TestClient, ann: None) -> None:
    statuses = [_login(client, "wrong-password") for _ in range(sessions.MAX_FAILURES_PER_ACCOUNT)]

    assert statuses == [401] * sessions.MAX_FAILURES_PER_ACCOUNT
    assert _login(client) == 429  # even the right password, until the window passes


def test_failed_logins_are_limited_per_address(client: TestClient, db: Database) -> None:
    user_with_token(db, "victim", "Reader", PASSWORD)
    with db.session(write=True) as session:  # earlier guesses at other accounts, same address
        session.add_all(
            LoginFailure(account=f"guess{i}", address="testclient", at=now_ms())
            for i in range(sessions.MAX_FAILURES_PER_ADDRESS - 1)
        )
    assert _login(client, "wrong-password", user="one-more") == 401

    assert _login(client, user="victim") == 429


def test_the_limit_is_shared_by_every_server_process(
    settings: Settings, db: Database, ann: None
) -> None:
    clients = [TestClient(create_app(settings, db)) for _ in range(2)]
    with clients[0] as first, clients[1] as second:
        for i in range(sessions.MAX_FAILURES_PER_ACCOUNT):
            assert _login([first, second][i % 2], "wrong-password") == 401
        assert _login(second) == 429


@pytest.fixture
def fresh(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db)) as client:
        yield client


def test_a_successful_login_clears_the_accounts_failures(fresh: TestClient, ann: None) -> None:
    for _ in range(sessions.MAX_FAILURES_PER_ACCOUNT - 1):
        assert _login(fresh, "wrong-password") == 401
    assert _login(fresh) == 303
    fresh.cookies.clear()
    assert _login(fresh, "wrong-password") == 401
    assert _login(fresh) == 303
