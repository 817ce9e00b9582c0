"""Issue #16's defects of the web UI, each as a person meets it in a real Chromium against a real
`dataflare serve --demo`: stale pages after Back, changes that change nothing, facets, unknown
assets, focus and announcements, keyboard patterns, the search filters on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.browser import sign_in
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.server import Server

LAPTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
ORDERS = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.orders,PROD)"
ORDERS_TAB = "/asset/" + quote(ORDERS, safe="") + "?tab=incidents"
LATE = "/incident/" + quote("urn:li:incident:demo-orders-late", safe="")
NEVER_SEEN = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.nowhere,PROD)"


def signed_in(browser: Browser, server: Server, viewport: ViewportSize = LAPTOP) -> Page:
    context = browser.new_context(viewport=viewport, base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, server.url, "datahub", DEMO_PASSWORD)
    expect(page.get_by_text("Signed in as")).to_be_visible()
    return page


@pytest.fixture
def page(chromium_browser: Browser, demo_server: Server) -> Iterator[Page]:
    opened = signed_in(chromium_browser, demo_server)
    yield opened
    opened.context.close()


def resolve_first_on_the_tab(page: Page) -> None:
    page.get_by_test_id("incident").first.get_by_role("button", name="Resolve").click()
    dialog = page.get_by_role("dialog", name=re.compile("Resolve"))
    dialog.get_by_role("button", name="Resolve").click()


# What a browser's back-forward cache does when it shows a page again (this headless Chromium
# keeps no page there, so the event is sent by hand): the page as it was when left.
RESTORED_FROM_CACHE = (
    "window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))"
)


def test_back_after_resolve_shows_the_incident_as_it_is_now(page: Page) -> None:
    stale = page.context.new_page()
    stale.goto(LATE)
    page.goto(LATE)
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_test_id("incident-state")).to_have_text("Resolved")
    page.go_back()
    expect(page.get_by_test_id("incident-state")).to_have_text("Resolved")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    stale.evaluate(RESTORED_FROM_CACHE)
    expect(stale.get_by_test_id("incident-state")).to_have_text("Resolved")
    expect(stale.get_by_role("button", name="Reopen")).to_be_visible()

    page.goto(ORDERS_TAB)  # one active incident left there? none: it was demo-orders-late
    page.get_by_test_id("filter-resolved").click()
    page.get_by_test_id("incident").first.get_by_role("button", name="Reopen").click()
    expect(page.get_by_test_id("incident-summary")).to_have_text("There is 1 active incident")
    page.get_by_test_id("filter-active").click()
    resolve_first_on_the_tab(page)
    expect(page.get_by_test_id("incident-summary")).to_have_text("There are no active incidents")
    page.get_by_role("link", name="Insights").click()
    page.go_back()
    expect(page.get_by_test_id("incident-summary")).to_have_text("There are no active incidents")
    expect(page.get_by_test_id("filter-active")).to_have_text(re.compile(r"Active\s+0"))


def test_resolving_a_resolved_incident_from_an_old_page_says_so_and_writes_nothing(
    page: Page,
) -> None:
    old = page.context.new_page()
    old.goto(LATE)
    page.goto(LATE)
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_test_id("incident-state")).to_have_text("Resolved")
    resolutions = page.get_by_test_id("timeline").get_by_text("resolved the incident").count()

    old.get_by_label("Message (optional)").fill("Resolved a second time")
    old.get_by_role("button", name="Resolve").click()
    expect(old.get_by_role("alert")).to_have_text(
        "This incident is already resolved: nothing was changed."
    )
    expect(old.get_by_test_id("incident-state")).to_have_text("Resolved")
    page.reload()
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_text("resolved the incident")).to_have_count(resolutions)
    expect(timeline).not_to_contain_text("Resolved a second time")

    old.goto(ORDERS_TAB + "&show=resolved")  # the asset page's tab, out of date in its turn
    page.goto(ORDERS_TAB + "&show=resolved")
    page.get_by_test_id("incident").first.get_by_role("button", name="Reopen").click()
    expect(page.get_by_test_id("incident-summary")).to_have_text("There is 1 active incident")
    old.get_by_test_id("incident").first.get_by_role("button", name="Reopen").click()
    expect(old.get_by_test_id("notice")).to_have_text(
        "This incident is already active: nothing was changed."
    )
    expect(old.get_by_test_id("incident-summary")).to_have_text("There is 1 active incident")


def test_ticking_a_platform_keeps_the_others_to_tick(page: Page) -> None:
    page.goto("/search")
    platforms = page.get_by_role("group", name="Platform")
    everything = platforms.get_by_role("checkbox").count()
    assert everything > 3
    platforms.get_by_role("checkbox", name=re.compile("^snowflake")).check()
    expect(page).to_have_url(re.compile("platform=snowflake"))
    expect(platforms.get_by_role("checkbox")).to_have_count(everything)
    snowflake = page.get_by_test_id("result-count").inner_text()
    platforms.get_by_role("checkbox", name=re.compile("^kafka")).check()
    expect(page).to_have_url(re.compile("platform=snowflake&platform=kafka"))
    expect(page.get_by_test_id("result-count")).not_to_have_text(snowflake)
    expect(platforms.get_by_role("checkbox", name=re.compile("^kafka"))).to_be_checked()
    expect(platforms.get_by_role("checkbox", name=re.compile("^kafka"))).to_be_focused()
    shown = page.get_by_test_id("result-count").inner_text()
    total = int(re.sub(r"\D", "", shown.split(" of ")[1]))
    counts = [
        int(
            platforms.get_by_role("checkbox", name=re.compile(f"^{name}"))
            .locator("..")
            .locator(".count")
            .inner_text()
        )
        for name in ("snowflake", "kafka")
    ]
    assert total == sum(counts)  # each count: what that platform adds to the others


def test_has_active_incidents_lists_yes_before_no(page: Page) -> None:
    page.goto("/search")
    group = page.get_by_role("group", name="Has Active Incidents")
    expect(group.locator("label")).to_have_count(2)
    labels = [text.split("\n")[0] for text in group.locator("label").all_inner_texts()]
    assert [re.sub(r"\s*\d+$", "", label) for label in labels] == [
        "Has active incidents",
        "No active incidents",
    ]


def test_an_asset_never_seen_is_a_404_that_offers_raising(page: Page) -> None:
    answer = page.goto("/asset/" + quote(NEVER_SEEN, safe=""))
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", name="Dataflare has not seen this asset")).to_be_visible()
    expect(page.get_by_test_id("health-badge")).to_have_count(0)
    page.get_by_role("button", name="Raise an incident on it").click()
    dialog = page.get_by_role("dialog", name="Raise incident")
    dialog.get_by_label("Title").fill("The nowhere table is missing")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_test_id("incident-summary")).to_have_text("There is 1 active incident")
    expect(page.get_by_test_id("unseen-asset")).to_have_count(0)


def test_escape_in_the_raise_dialog_gives_focus_back_to_the_menu(page: Page) -> None:
    page.goto(ORDERS_TAB)
    menu_button = page.get_by_role("button", name="More actions")
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Raise Incident")).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Raise incident")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(menu_button).to_be_focused()


def test_focus_follows_an_in_place_change_and_the_change_is_announced(page: Page) -> None:
    page.goto(ORDERS_TAB)
    resolve_first_on_the_tab(page)
    summary = page.get_by_test_id("incident-summary")
    expect(summary).to_have_text("There are no active incidents")
    expect(summary).to_be_focused()
    announcer = page.get_by_role("status").and_(page.locator("#announcer"))
    expect(announcer).to_have_text("Incident resolved. There are no active incidents.")

    page.goto("/search")
    page.get_by_role("checkbox", name=re.compile("^Has active incidents")).check()
    shown = page.get_by_test_id("result-count")
    expect(shown).not_to_have_text(re.compile("of 283 assets"))
    expect(announcer).to_have_text(shown.inner_text())

    page.goto("/settings")
    page.get_by_label("Name").fill("nightly checks")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("New token")).to_be_focused()
    expect(announcer).to_contain_text("Token “nightly checks” created.")
    page.get_by_role("button", name="Create token").click()  # without a name
    expect(page.get_by_role("alert")).to_contain_text("Give the token a name")
    expect(page.get_by_label("Name")).to_be_focused()


def test_the_menu_and_the_tabs_follow_the_arrow_keys(page: Page) -> None:
    page.goto("/asset/" + quote(ORDERS, safe=""))
    menu_button = page.get_by_role("button", name="More actions")
    raise_item = page.get_by_role("menuitem", name="Raise Incident")
    all_item = page.get_by_role("menuitem", name="All incidents")
    menu_button.focus()
    page.keyboard.press("ArrowDown")
    expect(raise_item).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(all_item).to_be_focused()
    page.keyboard.press("ArrowDown")  # round again
    expect(raise_item).to_be_focused()
    page.keyboard.press("End")
    expect(all_item).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu_button).to_be_focused()
    expect(all_item).to_be_hidden()
    page.keyboard.press("ArrowUp")  # opens on the last item
    expect(all_item).to_be_focused()
    page.keyboard.press("Escape")

    overview = page.get_by_role("tab", name="Overview")
    incidents = page.get_by_role("tab", name=re.compile("^Incidents"))
    expect(incidents).to_have_attribute("tabindex", "-1")  # one tab stop for the tab list
    checks = page.get_by_role("tab", name=re.compile("^Assertions"))
    overview.focus()
    page.keyboard.press("ArrowRight")
    expect(incidents).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(checks).to_be_focused()
    page.keyboard.press("ArrowRight")  # round again
    expect(overview).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(checks).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("incident-summary")).to_be_visible()
    expect(page.get_by_role("tab", name=re.compile("^Incidents"))).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page.get_by_role("tab", name=re.compile("^Incidents"))).to_be_focused()


def test_on_a_phone_the_filters_come_first_and_fold(
    chromium_browser: Browser, demo_server: Server
) -> None:
    phone = signed_in(chromium_browser, demo_server, PHONE)
    phone.goto("/search")
    toggle = phone.get_by_role("button", name=re.compile("^Filters"))
    platforms = phone.get_by_role("group", name="Platform")
    expect(toggle).to_be_visible()
    expect(platforms).to_be_hidden()
    toggle_box = toggle.bounding_box()
    first_result = phone.locator(".result").first.bounding_box()
    assert toggle_box and first_result and toggle_box["y"] < first_result["y"]

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    snowflake = platforms.get_by_role("checkbox", name=re.compile("^snowflake"))
    snowflake.check()
    expect(phone).to_have_url(re.compile("platform=snowflake"))
    expect(snowflake).to_be_visible()  # still unfolded after the form was swapped
    expect(snowflake).to_be_focused()
    expect(toggle).to_contain_text("1 chosen")
    toggle.click()
    expect(platforms).to_be_hidden()
    phone.context.close()
