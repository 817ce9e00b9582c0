"""Assertions in a real Chromium against `dataflare serve --demo` with checks on the orders
table: the health popover names the failing check, the Assertions tab (reached with the
keyboard) lists failing first, the incident a failing run raised shows the check and its runs,
and a phone's narrow screen shows the same without scrolling sideways."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.browser import sign_in
from tests.e2e.checks import ERRORING, FAILING, NAMES, NEVER, ORDERS, PASSING
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.server import Server

DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
ORDERS_PAGE = "/asset/" + quote(ORDERS, safe="")


def _open(browser: Browser, server: Server, viewport: ViewportSize, errors: list[str]) -> Page:
    """A signed-in page; its script errors are added to `errors`."""
    context = browser.new_context(viewport=viewport, base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server.url, "datahub", DEMO_PASSWORD)
    expect(page.get_by_text("Signed in as")).to_be_visible()
    return page


def test_people_see_the_failing_check_from_the_asset_to_the_incident(
    chromium_browser: Browser, checked_demo_server: Server
) -> None:
    errors: list[str] = []
    page = _open(chromium_browser, checked_demo_server, DESKTOP, errors)

    # The health badge's popover names the failing check, linked to it.
    page.goto(ORDERS_PAGE)
    page.locator("[popovertarget=asset-health]").click()
    popover = page.locator("#asset-health")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("1 of 3 assertions are failing")
    expect(popover.get_by_role("link", name=NAMES[FAILING])).to_be_visible()
    expect(popover).not_to_contain_text(NAMES[PASSING])
    page.keyboard.press("Escape")

    # The Assertions tab, with the keyboard: arrows move along the tabs, Enter opens one.
    page.get_by_role("tab", name="Overview").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assertions_tab = page.get_by_role("tab", name=re.compile("^Assertions"))
    expect(assertions_tab).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"tab=assertions"))
    expect(assertions_tab).to_have_attribute("aria-selected", "true")
    table = page.get_by_role("table", name=re.compile("^Checks on"))
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)
    firsts = [r.split("\t")[0].strip() for r in rows.all_inner_texts()]
    assert firsts == [NAMES[FAILING], NAMES[ERRORING], NAMES[PASSING], NAMES[NEVER]]
    expect(rows.nth(0)).to_contain_text("Failing")
    expect(rows.nth(1)).to_contain_text("Error")
    expect(rows.nth(2)).to_contain_text("Passing")
    expect(rows.nth(3)).to_contain_text("Never run")

    # The failing check's own page: what it checks, its runs newest first, the incident.
    rows.nth(0).get_by_role("link", name=NAMES[FAILING]).click()
    expect(page.get_by_role("heading", name=NAMES[FAILING], level=1)).to_be_visible()
    runs = page.get_by_role("table", name=re.compile("newest first")).locator("tbody tr")
    expect(runs).to_have_count(3)
    expect(runs.nth(0)).to_contain_text("nightly-3")
    expect(runs.nth(0)).to_contain_text("Failed")
    expect(runs.nth(0)).to_contain_text("Observed value: -12.5")
    incident = page.get_by_test_id("raised").get_by_role("link").first
    expect(incident).to_have_text(f"{NAMES[FAILING]} failed on orders")

    # The incident it raised shows the check and its runs.
    incident.click()
    check = page.get_by_test_id("check")
    expect(check.get_by_role("heading", name="Check")).to_be_visible()
    expect(check).to_contain_text("Columns")
    expect(check).to_contain_text("total")
    check_runs = check.get_by_role("table").locator("tbody tr")
    expect(check_runs).to_have_count(3)
    expect(check_runs.nth(0)).to_contain_text("Failed")
    expect(check_runs.nth(2)).to_contain_text("Passed")
    expect(check.get_by_role("link", name="All about this assertion")).to_have_attribute(
        "href", "/assertion/" + quote(FAILING, safe="")
    )

    # Search results: the orders table's badge names the failing check too.
    page.goto("/search?query=orders")
    result = page.locator(".result", has=page.get_by_role("link", name="orders", exact=True))
    result.get_by_test_id("health-badge").click()
    expect(page.locator(".popover:popover-open")).to_contain_text(NAMES[FAILING])
    assert not errors


def test_a_phone_shows_the_assertions_without_sideways_scrolling(
    chromium_browser: Browser, checked_demo_server: Server
) -> None:
    errors: list[str] = []
    page = _open(chromium_browser, checked_demo_server, PHONE, errors)
    for path in (ORDERS_PAGE + "?tab=assertions", "/assertion/" + quote(FAILING, safe="")):
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide"
    assert not errors
