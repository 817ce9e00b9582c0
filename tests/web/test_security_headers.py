"""Security headers over HTTP: every HTML answer (page, error page, login page, htmx fragment,
GraphiQL) carries the browser's defences; every answer, JSON included, says nosniff."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import httpx2
import pytest
from starlette.testclient import TestClient

from dataflare.app import create_app
from dataflare.core.config import Settings
from dataflare.db.database import Database
from tests.access.helpers import user_with_token
from tests.conftest import ADMIN_TOKEN
from tests.web.conftest import sign_in
from tests.web.test_views import ASSET_PAGE, raise_form

TEMPLATES = Path(__file__).parents[2] / "src" / "dataflare" / "web" / "templates"
HTMX = {"HX-Request": "true"}
PAGE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response: httpx.Response | httpx2.Response) -> dict[str, str]:
    directives = response.headers["content-security-policy"].split(";")
    return dict(d.strip().partition(" ")[::2] for d in directives)


def assert_html_headers(response: httpx.Response | httpx2.Response, what: str) -> None:
    assert response.headers["content-type"].startswith("text/html"), what
    assert response.headers["x-content-type-options"] == "nosniff", what
    assert response.headers["x-frame-options"] == "DENY", what
    assert response.headers["referrer-policy"] == "same-origin", what
    assert response.headers["cache-control"] == "no-store", what
    assert "strict-transport-security" not in response.headers, what  # plain HTTP here


@pytest.fixture
def admin(client: TestClient, db: Database) -> str:
    user_with_token(db, "ann", "Admin", "correct horse battery")
    return sign_in(client, "ann")


def test_every_page_and_fragment_carries_the_headers(client: TestClient, admin: str) -> None:
    raised = client.post("/incidents/raise", data=raise_form(admin), follow_redirects=False)
    incident = client.get(ASSET_PAGE + "?tab=incidents").text
    found = re.search(r'href="(/incident/[^"]+)"', incident)
    assert raised.status_code == 303 and found
    answers = {
        "home": client.get("/"),
        "search": client.get("/search?query=orders"),
        "asset": client.get(ASSET_PAGE),
        "incident": client.get(found.group(1)),
        "settings": client.get("/settings"),
        "login page (signed in)": client.get("/login"),
        "search fragment": client.get("/search?active=true", headers=HTMX),
        "asset fragment": client.get(ASSET_PAGE + "?tab=incidents", headers=HTMX),
        "raise fragment": client.post("/incidents/raise", data=raise_form(admin), headers=HTMX),
        "refused raise fragment": client.post(
            "/incidents/raise", data=raise_form(admin, title=""), headers=HTMX
        ),
        "tokens fragment": client.post(
            "/settings/tokens", data={"csrf_token": admin, "name": "ci"}, headers=HTMX
        ),
        "error page": client.get("/incident/urn:li:incident:nope"),
        "no such page": client.get("/nowhere", headers={"Accept": "text/html"}),
        "error fragment": client.get("/asset/urn:li:corpuser:ann", headers=HTMX),
    }
    for what, answer in answers.items():
        assert_html_headers(answer, what)
        assert policy(answer) == PAGE_POLICY, what
    assert answers["error fragment"].status_code == 404
    assert "<html" not in answers["raise fragment"].text  # a fragment indeed


def test_graphiql_alone_may_use_inline_style_elements_and_data_fonts(
    client: TestClient, admin: str
) -> None:
    graphiql = client.get("/api/graphiql")

    assert_html_headers(graphiql, "graphiql")
    assert policy(graphiql) == {
        **PAGE_POLICY,
        "style-src-elem": "'self' 'unsafe-inline'",
        "font-src": "'self' data:",
    }


def test_the_login_page_carries_the_headers(client: TestClient) -> None:
    login = client.get("/login")
    refused = client.post("/login", data={"username": "x", "password": "y", "csrf_token": "z"})

    for what, answer in (("login", login), ("refused login", refused)):
        assert_html_headers(answer, what)
        assert policy(answer) == PAGE_POLICY, what
    assert refused.status_code == 403


def test_a_500_page_carries_the_headers_too(settings: Settings, tmp_path: Path) -> None:
    """Answered by Starlette's outermost layer: a middleware added the usual way misses it."""
    unreachable = Database(f"sqlite:///{tmp_path / 'no such folder' / 'dataflare.db'}")
    app = create_app(settings, unreachable)  # not started: the database is only met by requests
    client = TestClient(app, raise_server_exceptions=False)
    try:
        page = client.get("/login", headers={"Accept": "text/html"})
    finally:
        client.close()
        unreachable.dispose()

    assert page.status_code == 500 and "Something went wrong on our side" in page.text
    assert_html_headers(page, "500 page")
    assert policy(page) == PAGE_POLICY


def test_json_and_static_answers_say_nosniff_and_nothing_a_page_needs(
    client: TestClient,
) -> None:
    bearer = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    answers = {
        "graphql": client.post("/api/graphql", json={"query": "{ __typename }"}, headers=bearer),
        "refused graphql": client.post("/api/graphql", json={"query": "{ __typename }"}),
        "config": client.get("/config"),
        "health": client.get("/health"),
        "api 404": client.get("/api/nowhere"),
        "ingest": client.post("/aspects?action=ingestProposal", json={}, headers=bearer),
        "script": client.get("/static/app.js"),
        "redirect to sign in": client.get("/settings", follow_redirects=False),
    }
    for what, answer in answers.items():
        assert answer.headers["x-content-type-options"] == "nosniff", what
        assert "content-security-policy" not in answer.headers, what
        assert "x-frame-options" not in answer.headers, what
    assert answers["refused graphql"].status_code == 401
    assert answers["graphql"].json() == {"data": {"__typename": "Query"}}


def test_over_https_every_answer_asks_to_stay_on_https(settings: Settings, db: Database) -> None:
    with TestClient(create_app(settings, db), base_url="https://testserver") as client:
        answers = [client.get("/login"), client.get("/health"), client.get("/static/app.css")]
    for answer in answers:
        assert answer.headers["strict-transport-security"] == "max-age=31536000"


def test_templates_have_no_inline_script_style_or_event_handler() -> None:
    """What the Content-Security-Policy would refuse: each would break in the browser."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|\shx-on", re.I)
    for template in TEMPLATES.rglob("*.html"):
        found = inline.search(template.read_text())
        assert found is None, f"{template.name}: {found and found.group(0)}"
