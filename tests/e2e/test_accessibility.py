"""axe-core (from npm, served by us) on every page of ours, on a laptop and on a phone: no critical
or serious violation in our own markup. One browser, one server, the pages in a loop."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Error, Page, ViewportSize, expect

from tests.e2e.browser import sign_in
from tests.e2e.checks import FAILING as FAILING_CHECK
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.server import Server

LAPTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
ORDERS = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.orders,PROD)"
ORDERS_PAGE = "/asset/" + quote(ORDERS, safe="")
CUSTOMERS = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.customers,PROD)"
NEVER_SEEN = "urn:li:dataset:(urn:li:dataPlatform:hive,never.seen,PROD)"
# WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING = {"critical", "serious"}
# Landmarks named and told apart, and a heading to start from, whatever impact axe gives them.
ALWAYS_FAILING = {"landmark-unique", "region", "page-has-heading-one"}
# GraphiQL's own markup (graphiql@3, vendored) is not ours to fix: the page around it is checked.
NOT_OURS = {"/api/graphiql": ["#graphiql"]}
RUN_AXE = """async ([exclude, tags]) => {
  const results = await axe.run({ exclude: exclude.map((s) => [s]) }, {
    runOnly: { type: "tag", values: tags },
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary.split("\\n")[1]),
  }));
}"""


@pytest.fixture
def demo_settings() -> dict[str, str]:
    """Insights from the rollups whenever they can tell: the page then says its ranks are
    estimated, and that line is checked too (a filter on a platform is still read exactly)."""
    return {"DATAFLARE_FIGURES_EXACT_UP_TO": "0"}


def violations(page: Page, path: str) -> list[dict[str, Any]]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, [NOT_OURS.get(path, []), TAGS])
    return [v for v in found if v["impact"] in FAILING or v["id"] in ALWAYS_FAILING]


def pages(page: Page, server: Server) -> dict[str, str]:
    """The paths to check; the incident's is found on the orders table's Incidents tab."""
    page.goto(server.url + ORDERS_PAGE + "?tab=incidents")
    incident = page.get_by_test_id("incident").first.get_by_role("link").first
    return {
        "home": "/",
        "search": "/search?query=orders&active=true",
        "asset": ORDERS_PAGE,
        "asset incidents": ORDERS_PAGE + "?tab=incidents&show=all",
        "asset assertions": ORDERS_PAGE + "?tab=assertions",
        "assertion": "/assertion/" + quote(FAILING_CHECK, safe=""),
        "asset no assertions": "/asset/" + quote(CUSTOMERS, safe="") + "?tab=assertions",
        "incident": incident.get_attribute("href") or "",
        "insights": "/insights",
        "insights exact": "/insights?platform=snowflake",
        "incidents": "/incidents",
        "incidents grouped": "/incidents?state=ACTIVE&group=owner",
        "incidents empty": "/incidents?query=nothing-matches-this",
        "settings": "/settings",
        "graphiql": "/api/graphiql",
        "asset never seen": "/asset/" + quote(NEVER_SEEN, safe=""),
        "not found": "/no/such/page",
        "no such incident": "/incident/urn%3Ali%3Aincident%3Anope",
        "no such assertion": "/assertion/urn%3Ali%3Aassertion%3Anope",
    }


def note_error(errors: list[str], size: str, error: Error) -> None:
    errors.append(f"{size}: {error}")


# The markup is the same whatever the database: one run is enough.
@pytest.mark.parametrize("demo_database_url", ["sqlite"], indirect=True)
def test_no_serious_accessibility_violations_or_script_errors_on_our_pages(
    chromium_browser: Browser, checked_demo_server: Server
) -> None:
    demo_server = checked_demo_server  # the demo, with assertions on its orders table
    report: list[str] = []
    script_errors: list[str] = []
    for viewport in (LAPTOP, PHONE):
        context = chromium_browser.new_context(viewport=viewport, base_url=demo_server.url)
        page = context.new_page()
        page.set_default_timeout(10_000)
        size = f"{viewport['width']}x{viewport['height']}"
        # A script that fails (two of ours declaring one name, say) fails the visit too.
        page.on("pageerror", partial(note_error, script_errors, size))
        page.goto("/login")
        report += [f"login {size}: {v}" for v in violations(page, "/login")]
        sign_in(page, demo_server.url, "datahub", DEMO_PASSWORD)
        expect(page.get_by_text("Signed in as")).to_be_visible()
        for name, path in pages(page, demo_server).items():
            page.goto(path)
            expect(page.locator("main")).to_be_visible()
            if name == "graphiql":
                expect(page.locator(".graphiql-container")).to_be_visible()
            if name == "asset":  # the health popover, open, naming the failing check
                page.locator("[popovertarget=asset-health]").click()
                expect(page.locator("#asset-health")).to_contain_text("assertions are failing")
            if name.startswith("insights"):  # estimated from the rollups, or read exactly
                estimated = page.get_by_test_id("estimated")
                expect(estimated).to_have_count(1 if name == "insights" else 0)
            if name == "incident":  # its edit form, unfolded
                page.get_by_text("Edit incident").click()
                expect(page.get_by_label("Title")).to_be_visible()
            if name == "search" and viewport == PHONE:  # the filters, unfolded
                page.get_by_role("button", name="Filters").click()
                expect(page.get_by_role("group", name="Platform")).to_be_visible()
            report += [f"{name} {size}: {v}" for v in violations(page, path.split("?")[0])]
        page.goto(ORDERS_PAGE)
        page.get_by_role("button", name="More actions").click()
        report += [f"asset menu {size}: {v}" for v in violations(page, ORDERS_PAGE)]
        page.get_by_role("menuitem", name="Raise Incident").click()
        expect(page.get_by_role("dialog", name="Raise incident")).to_be_visible()
        report += [f"raise dialog {size}: {v}" for v in violations(page, ORDERS_PAGE)]
        context.close()
    report += [f"script error {error}" for error in script_errors]
    assert not report, "\n".join(report)
