"""The Incidents page in a real Chromium against `dataflare serve --demo`: filters and grouping
kept in the URL (reload and Back show the same view), keyboard use, a bulk resolve with each
row's outcome announced, a Reader's refusal in words, and a phone's narrow screen (screenshots
for the README when asked for)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.browser import screenshot_folder, sign_in
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.server import DATAFLARE, Server, dataflare_env
from tests.e2e.test_browser_security import REPORT_VIOLATIONS

DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _open(
    browser: Browser,
    server: Server,
    viewport: ViewportSize,
    user: str = "datahub",
    violations: list[Any] | None = None,
) -> Page:
    context = browser.new_context(viewport=viewport)
    if violations is not None:  # Content-Security-Policy violations, reported as they happen
        context.expose_function("reportViolation", lambda found: violations.append(found))
        context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, server.url, user, DEMO_PASSWORD)
    page.get_by_role("link", name=re.compile(r"^Incidents \(\d+ active\)$")).click()
    expect(page.get_by_role("heading", name="Incidents", level=1)).to_be_visible()
    return page


def _rows(page: Page) -> int:
    return page.locator("#incidents-view tbody tr").count()


def test_filters_and_grouping_are_kept_in_the_url(
    chromium_browser: Browser, demo_server: Server, tmp_path: Path
) -> None:
    violations: list[Any] = []
    page = _open(chromium_browser, demo_server, DESKTOP, violations=violations)
    active = int(page.get_by_test_id("active-total").inner_text())
    expect(page).to_have_url(f"{demo_server.url}/incidents?state=ACTIVE")
    expect(page.get_by_test_id("incident-count")).to_contain_text(f"of {active} incidents")

    # A facet ticked with the keyboard: the view narrows in place, focus stays on the box.
    low = page.locator("#f-priority-LOW")
    low.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"state=ACTIVE&priority=LOW"))
    expect(page.locator("#f-priority-LOW")).to_be_focused()
    expect(page.locator("#f-priority-LOW")).to_be_checked()
    cells = page.locator("#incidents-view tbody td[data-label=Priority]")
    assert set(cells.all_inner_texts()) == {"Low"}
    narrowed = _rows(page)
    assert 0 < narrowed < active

    page.get_by_label("Group by").select_option("asset")
    expect(page).to_have_url(re.compile(r"priority=LOW.*group=asset"))
    groups = page.locator(".incidentgroup h2")
    expect(groups.first).to_be_visible()
    counts = [int(re.findall(r"(\d+) incidents?$", t)[0]) for t in groups.all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and sum(counts) >= narrowed

    # A bookmark: the same URL shows the same view.
    page.reload()
    expect(page.locator("#f-priority-LOW")).to_be_checked()
    expect(page.get_by_label("Group by")).to_have_value("asset")
    page.screenshot(path=screenshot_folder(tmp_path) / "incidents-page-grouped.png")
    # Back goes to the view before grouping.
    page.go_back()
    expect(page).to_have_url(re.compile(r"priority=LOW$"))
    expect(page.get_by_label("Group by")).to_have_value("")
    assert violations == []


def test_bulk_resolve_shows_each_row_and_a_readers_refusal(
    chromium_browser: Browser, demo_server: Server, demo_database_url: str, tmp_path: Path
) -> None:
    added = subprocess.run(
        [DATAFLARE, "users", "add", "rita", "--role", "Reader", "--password-stdin"],
        env=dataflare_env(tmp_path, demo_database_url),
        input=DEMO_PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr

    reader = _open(chromium_browser, demo_server, DESKTOP, "rita")
    expect(reader.get_by_text("Your role (Reader) changes only incidents")).to_be_visible()
    reader.locator("#incidents-view tbody input[name=urn]").nth(0).check()
    reader.get_by_role("button", name="Apply to selected").click()
    outcome = reader.locator("#bulk-outcome")
    expect(outcome).to_contain_text("Resolve: 0 changed, 1 refused.")
    expect(outcome).to_contain_text("Not changed: you may not change incidents on")
    expect(outcome).to_be_focused()
    expect(outcome).to_have_attribute("aria-live", "polite")

    violations: list[Any] = []
    page = _open(chromium_browser, demo_server, DESKTOP, violations=violations)
    page.set_viewport_size({"width": 1440, "height": 1400})
    before = int(page.get_by_test_id("active-total").inner_text())
    titles = page.locator("#incidents-view tbody th[scope=row] a").all_inner_texts()[:2]
    boxes = page.locator("#incidents-view tbody input[name=urn]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_label("Action", exact=True).select_option("resolve")
    page.get_by_label("Message (optional)").fill("Fixed by the upstream rerun")
    page.get_by_role("button", name="Apply to selected").click()
    outcome = page.locator("#bulk-outcome")
    expect(outcome).to_contain_text("Resolve: 2 changed.")
    for title in titles:
        expect(outcome.get_by_role("listitem").filter(has_text=title)).to_contain_text("Resolved.")
    expect(page.get_by_test_id("incident-count")).to_contain_text(f"of {before - 2} incidents")
    page.reload()
    expect(page.get_by_test_id("active-total")).to_have_text(str(before - 2))
    assert violations == []
    # Last: with a screenshot taken before the change, Chromium reported inline-style
    # violations (attributed to htmx) after it; without one, none. Not yet explained.
    page.screenshot(path=screenshot_folder(tmp_path) / "incidents-page.png")


def test_on_a_phone_filters_come_first_and_nothing_is_wider_than_the_screen(
    chromium_browser: Browser, demo_server: Server, tmp_path: Path
) -> None:
    page = _open(chromium_browser, demo_server, PHONE)

    filters = page.locator("details.filters")
    table = page.locator("#incidents-view table")
    expect(table).to_be_visible()
    filter_box, table_box = filters.bounding_box(), table.bounding_box()
    assert filter_box and table_box and filter_box["y"] < table_box["y"]
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # The filters start folded on a phone; opened, they show above the results.
    expect(page.locator("#f-state-ACTIVE")).to_be_hidden()
    page.locator("details.filters summary").click()
    expect(page.locator("#f-state-ACTIVE")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.locator("details.filters summary").click()
    page.get_by_test_id("incident-count").evaluate("line => line.scrollIntoView()")
    page.screenshot(path=screenshot_folder(tmp_path) / "incidents-page-phone.png")
