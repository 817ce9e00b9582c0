"""The Insights page in a real Chromium against `dataflare serve --demo`: its charts drawn from
locally served Chart.js, each chart's CSV downloaded, filters kept in the URL, and a phone's
narrow screen (screenshots for the README when asked for)."""

from __future__ import annotations

import csv
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.browser import screenshot_folder, sign_in
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.server import Server

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
CHARTS = ("open", "weekly", "platform", "owner", "noisy")


def _open(browser: Browser, server: Server, viewport: ViewportSize) -> Page:
    page = browser.new_context(viewport=viewport, accept_downloads=True).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, server.url, "datahub", DEMO_PASSWORD)
    page.get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    return page


def test_the_charts_are_drawn_and_each_downloads_as_csv(
    chromium_browser: Browser, demo_server: Server, tmp_path: Path
) -> None:
    page = _open(chromium_browser, demo_server, DESKTOP)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.reload()

    raised = int(page.get_by_test_id("figures").locator("dd").first.inner_text())
    assert raised > 0  # the demo's incidents were raised today, inside the period
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas')).map(c => [c.id, "
        "Chart.getChart(c).data.datasets.map(d => d.data.length)])"
    )
    assert {name for name, _ in drawn} >= {"chart-open", "chart-weekly", "chart-noisy"}
    assert all(lengths and all(n > 0 for n in lengths) for _, lengths in drawn), drawn
    assert errors == []

    weekly = page.get_by_test_id("chart-weekly")
    with page.expect_download() as download:
        weekly.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "dataflare-weekly-30d.csv"
    with saved.open() as opened:
        rows = list(csv.reader(opened))
    assert rows[0] == ["Week from", "Raised", "Resolved"]
    assert sum(int(r[1]) for r in rows[1:]) == raised

    weekly.get_by_text("Data").click()
    expect(weekly.get_by_role("table")).to_be_visible()
    folder = screenshot_folder(tmp_path)
    page.screenshot(path=folder / "insights.png", full_page=True)


def test_filters_and_period_are_kept_in_the_url(
    chromium_browser: Browser, demo_server: Server
) -> None:
    page = _open(chromium_browser, demo_server, DESKTOP)

    page.get_by_label("Period", exact=True).select_option("90")
    page.get_by_label("Platform", exact=True).select_option("snowflake")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(
        f"{demo_server.url}/insights?days=90&platform=snowflake&type=&priority="
    )
    expect(page.get_by_label("Period", exact=True)).to_have_value("90")
    href = page.get_by_test_id("chart-noisy").get_by_role("link", name="Download CSV")
    expect(href).to_have_attribute("href", "/insights.csv?days=90&platform=snowflake&chart=noisy")


def test_on_a_phone_nothing_is_wider_than_the_screen(
    chromium_browser: Browser, demo_server: Server, tmp_path: Path
) -> None:
    page = _open(chromium_browser, demo_server, PHONE)

    for name in CHARTS:
        expect(page.get_by_test_id(f"chart-{name}")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.screenshot(path=screenshot_folder(tmp_path) / "insights-phone.png")
