"""The web UI in a real Chromium against a real `dataflare serve --demo`: sign in, raise
incidents through the dialog, watch health change, resolve and reopen, search, tokens, GraphiQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.browser import chromium, screenshot_folder, sign_in
from tests.e2e.server import Server, dataflare_env, serving

PASSWORD = "a long enough password"
CUSTOMERS = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.customers,PROD)"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


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
def page(browser: Browser, server: Server) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    sign_in(opened, server.url, "datahub", PASSWORD)
    expect(opened.get_by_text("Signed in as")).to_be_visible()
    yield opened
    context.close()


def asset_url(server: Server, urn: str) -> str:
    return f"{server.url}/asset/{quote(urn, safe='')}"


def raise_incident(page: Page, title: str, kind: str, custom: str | None = None) -> None:
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("menuitem", name="Raise Incident").click()
    dialog = page.get_by_role("dialog", name="Raise incident")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Type", exact=True).select_option(kind)
    if custom is not None:
        dialog.get_by_label("Custom type name").fill(custom)
    dialog.get_by_label("Title").fill(title)
    dialog.get_by_label("Description").fill(f"{title}: seen by the nightly checks.")
    dialog.get_by_label("Priority").select_option("HIGH")
    dialog.get_by_label("Stage").select_option("TRIAGE")
    dialog.get_by_label("Assignee 1").fill("jdoe")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog).to_be_hidden()


def test_raise_resolve_and_reopen_on_the_asset_page(page: Page, server: Server) -> None:
    page.goto(asset_url(server, CUSTOMERS))
    badge = page.locator("#asset-main").get_by_test_id("health-badge").first
    expect(badge).to_have_text("Healthy")
    url_before = page.url

    raise_incident(page, "Customer rows missing", "FRESHNESS")

    summary = page.get_by_test_id("incident-summary")
    expect(summary).to_have_text("There is 1 active incident")
    assert page.url.split("?")[0] == url_before.split("?")[0]  # updated in place, no reload
    expect(badge).to_have_text("Unhealthy")
    badge.click()
    expect(page.locator("#asset-health")).to_contain_text("This asset may be unhealthy")
    expect(page.locator("#asset-health")).to_contain_text("1 active incident")
    page.keyboard.press("Escape")
    incident = page.get_by_test_id("incident").first
    for shown in ("Freshness", "High", "Triage", "jdoe", "by datahub"):
        expect(incident).to_contain_text(shown)

    incident.get_by_role("button", name="Resolve").click()
    resolve = page.get_by_role("dialog", name=re.compile("Resolve"))
    resolve.get_by_label("Message (optional)").fill("Backfilled from the source.")
    resolve.get_by_role("button", name="Resolve").click()
    expect(summary).to_have_text("There are no active incidents")
    expect(page.get_by_test_id("filter-active")).to_have_text(re.compile(r"Active\s+0"))
    expect(page.get_by_test_id("filter-resolved")).to_have_text(re.compile(r"Resolved\s+1"))
    expect(badge).to_have_text("Healthy")

    page.get_by_test_id("filter-resolved").click()
    resolved = page.get_by_test_id("incident").first
    expect(resolved).to_contain_text("Backfilled from the source.")
    resolved.get_by_role("button", name="Reopen").click()
    expect(summary).to_have_text("There is 1 active incident")
    expect(page.get_by_test_id("filter-resolved")).to_have_text(re.compile(r"Resolved\s+0"))
    expect(badge).to_have_text("Unhealthy")

    raise_incident(page, "Duplicate customers", "CUSTOM", custom="Duplicates")
    expect(summary).to_have_text("There are 2 active incidents")
    expect(page.get_by_test_id("incident").first).to_contain_text("Duplicates")

    page.get_by_test_id("incident").first.get_by_role("link", name="Duplicate customers").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("datahub raised the incident")
    expect(page.get_by_test_id("incident-state")).to_have_text("Active")


def test_a_refused_raise_says_why_and_keeps_the_dialog(page: Page, server: Server) -> None:
    page.goto(asset_url(server, CUSTOMERS))
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("menuitem", name="Raise Incident").click()
    dialog = page.get_by_role("dialog", name="Raise incident")
    expect(dialog.get_by_label("Type", exact=True)).to_be_focused()
    dialog.get_by_label("Title").fill("Bad assignee")
    dialog.get_by_label("Assignee 1").fill("urn:li:dataset:nope")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text("Invalid assignee URN")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.get_by_role("tab", name="Incidents").click()
    expect(page.get_by_test_id("incident-summary")).to_have_text("No incidents have been raised")


def test_search_filters_on_has_active_incidents(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    count = int(page.get_by_test_id("unhealthy-count").inner_text())
    assert count > 0  # the demo data has active incidents
    page.get_by_role("link", name="Explore all").click()
    everything = page.get_by_test_id("result-count").inner_text()
    page.get_by_role("checkbox", name=re.compile("Has active incidents")).check()
    expect(page.get_by_test_id("result-count")).not_to_have_text(everything)
    expect(page.get_by_test_id("result-count")).to_contain_text(f"of {count} asset")
    assert "active=true" in page.url
    badges = page.locator(".result").get_by_test_id("health-badge")
    expect(badges.first).to_have_text("Unhealthy")
    assert set(badges.all_inner_texts()) == {"Unhealthy"}


def test_create_copy_and_revoke_a_token(page: Page, server: Server) -> None:
    page.goto(server.url + "/settings")
    page.get_by_label("Name").fill("airflow prod")
    page.get_by_label("Expires after").select_option("ONE_WEEK")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("New token").input_value()
    assert secret.startswith("dfp_")
    row = page.get_by_test_id("token-row").filter(has_text="airflow prod")
    expect(row).to_have_count(1)
    page.reload()
    assert secret not in page.content()  # shown once

    page.once("dialog", lambda confirm: confirm.accept())
    page.get_by_role("button", name="Revoke token airflow prod").click()
    expect(page.get_by_text("Token revoked")).to_be_visible()
    expect(page.get_by_test_id("token-row").filter(has_text="airflow prod")).to_have_count(0)
    expect(page.get_by_role("heading", name="Users")).to_be_visible()  # datahub is an admin


def test_graphiql_runs_a_query_with_the_session(page: Page, server: Server) -> None:
    page.goto(server.url + "/api/graphiql")
    page.get_by_role("button", name=re.compile("Execute query")).click()
    result = page.locator(".graphiql-response")
    expect(result).to_contain_text('"total"')
    expect(result).to_contain_text("urn:li:dataset")
    expect(result).not_to_contain_text("errors")


def test_main_pages_render_on_a_laptop_and_a_phone(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    """Each main page, as a screenshot (the README's, when asked for)."""
    folder = screenshot_folder(tmp_path)
    orders = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.orders,PROD)"
    revenue = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.daily_revenue,PROD)"
    shots = {
        "home": "/",
        "search": "/search?active=true",
        "asset": asset_url(server, revenue).removeprefix(server.url),
        "incidents": asset_url(server, orders).removeprefix(server.url) + "?tab=incidents",
        "settings": "/settings",
        "graphiql": "/api/graphiql",
    }
    for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        sign_in(page, server.url, "datahub", PASSWORD)
        for name, path in shots.items():
            if suffix and name in ("settings", "graphiql"):
                continue
            page.goto(server.url + path)
            expect(page.locator("main")).to_be_visible()
            if name == "graphiql":
                page.get_by_role("button", name=re.compile("Execute query")).click()
                expect(page.locator(".graphiql-response")).to_contain_text('"total"')
            no_overflow = page.evaluate("document.documentElement.scrollWidth <= innerWidth")
            assert no_overflow, f"{name}{suffix} is wider than the screen"
            page.screenshot(path=folder / f"{name}{suffix}.png")
        if not suffix:
            page.goto(server.url + shots["asset"])
            page.get_by_role("button", name="More actions").click()
            page.get_by_role("menuitem", name="Raise Incident").click()
            page.get_by_label("Title").fill("Revenue is half of yesterday's")
            page.screenshot(path=folder / "raise-dialog.png")
            page.keyboard.press("Escape")
            page.locator("#asset-main").get_by_test_id("health-badge").first.click()
            expect(page.locator("#asset-health")).to_be_visible()
            page.screenshot(path=folder / "health-popover.png")
            page.goto(server.url + shots["incidents"])
            page.get_by_test_id("incident").first.get_by_role("link").first.click()
            expect(page.get_by_test_id("timeline")).to_be_visible()
            page.screenshot(path=folder / "incident.png")
        context.close()
