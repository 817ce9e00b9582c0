"""The security headers in a real Chromium against a real `dataflare serve --demo`: our pages
cannot be framed by another site, the main pages run without one Content-Security-Policy
violation, and Back after signing out does not show the signed-in page again."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Response, expect

from tests.e2e.browser import chromium, sign_in
from tests.e2e.server import Server, dataflare_env, serving
from tests.e2e.test_web_ui import CUSTOMERS, PASSWORD, asset_url, raise_incident

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => window.reportViolation({
  page: location.pathname, directive: event.violatedDirective, blocked: event.blockedURI,
  source: event.sourceFile, line: event.lineNumber,
}));
"""


@pytest.fixture
def server(demo_database_url: str, tmp_path: Path) -> Iterator[Server]:
    env = dataflare_env(tmp_path, demo_database_url, DATAFLARE_ADMIN_PASSWORD=PASSWORD)
    with serving(env, "--demo") as running:
        yield running


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context()
    opened.set_default_timeout(10_000)
    yield opened
    opened.close()


@contextmanager
def another_site(html: str) -> Iterator[str]:
    """A site of another origin (another port) serving one page: its URL."""
    body = html.encode()

    class OnePage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass  # quiet

    site = ThreadingHTTPServer(("127.0.0.1", 0), OnePage)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}/"
    finally:
        site.shutdown()
        site.server_close()
        thread.join()


def test_another_site_cannot_frame_our_pages(context: BrowserContext, server: Server) -> None:
    page = context.new_page()
    sign_in(page, server.url, "datahub", PASSWORD)  # the session cookie goes to frames too
    expect(page.get_by_text("Signed in as")).to_be_visible()
    frames = "".join(
        f'<iframe src="{server.url}{path}" title="{path}"></iframe>'
        for path in ("/", "/settings", "/login", "/api/graphiql")
    )
    with another_site(f"<!doctype html><title>Elsewhere</title>{frames}") as elsewhere:
        page.goto(elsewhere, wait_until="load")
        children = page.main_frame.child_frames
        assert len(children) == 4
        for frame in children:
            shown = frame.evaluate("document.body ? document.body.innerText : ''")
            assert "Dataflare" not in shown and "Signed in as" not in shown, frame.name


def test_the_main_pages_run_without_a_policy_violation(
    context: BrowserContext, server: Server
) -> None:
    violations: list[dict[str, Any]] = []

    def report(violation: dict[str, Any]) -> None:
        violations.append(violation)

    context.expose_function("reportViolation", report)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    documents: dict[str, str] = {}  # each page loaded: its policy

    def note_policy(answer: Response) -> None:
        if answer.request.resource_type == "document" and answer.status == 200:
            documents[answer.url] = answer.headers.get("content-security-policy", "")

    page.on("response", note_policy)
    sign_in(page, server.url, "datahub", PASSWORD)

    page.get_by_role("link", name="Explore all").click()
    page.get_by_role("checkbox", name=re.compile("Has active incidents")).check()  # htmx
    expect(page).to_have_url(re.compile("active=true"))
    page.goto(asset_url(server, CUSTOMERS))
    raise_incident(page, "Customer rows missing", "FRESHNESS")
    expect(page.get_by_test_id("incident-summary")).to_have_text("There is 1 active incident")
    page.locator("#asset-main").get_by_test_id("health-badge").first.click()  # popover
    expect(page.locator("#asset-health")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_test_id("incident").first.get_by_role("link").first.click()
    expect(page.get_by_test_id("timeline")).to_be_visible()
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Name").fill("airflow prod")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("New token")).to_be_visible()
    page.get_by_role("link", name="GraphiQL").click()
    page.get_by_role("button", name=re.compile("Execute query")).click()
    expect(page.locator(".graphiql-response")).to_contain_text('"total"')
    page.get_by_role("button", name=re.compile("Open settings dialog")).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    page.wait_for_timeout(500)  # reports arrive as events, after the action

    assert violations == []
    assert len(documents) >= 6, documents
    assert all("frame-ancestors 'none'" in policy for policy in documents.values()), documents

    # The policy is enforced and its violations reach us: an inline style is refused.
    page.goto(server.url + "/")
    page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>p {}</style>')")
    for _ in range(50):
        if violations:
            break
        page.wait_for_timeout(100)
    assert [violation["directive"] for violation in violations] == ["style-src-elem"]


def test_back_after_signing_out_does_not_show_the_signed_in_page(
    context: BrowserContext, server: Server
) -> None:
    page = context.new_page()
    sign_in(page, server.url, "datahub", PASSWORD, "/search")
    active = page.get_by_role("checkbox", name=re.compile("Has active incidents"))
    active.check()  # htmx pushes ?active=true
    expect(page).to_have_url(re.compile("active=true"))
    page.go_back()  # loaded again from the server: htmx keeps no copy of the page
    expect(page).not_to_have_url(re.compile("active=true"))
    expect(active).not_to_be_checked()
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Dataflare")).to_be_visible()

    page.go_back()

    expect(page.get_by_role("heading", name="Sign in to Dataflare")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    expect(page.get_by_role("heading", name="Users")).to_have_count(0)
