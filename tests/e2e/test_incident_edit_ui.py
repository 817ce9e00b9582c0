"""Editing an incident in a real Chromium against `dataflare serve --demo`: the Edit link opens
the form, type and assets change, assignees come from the people Dataflare knows (a name nobody
knows is refused in words and the form keeps what was typed), and the timeline says what each
change replaced."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from dataflare.ingest.demo import ORDER_EVENTS
from tests.e2e.server import Server
from tests.e2e.test_ui_defects import ORDERS_TAB, signed_in


def test_editing_type_assets_and_assignees_from_the_edit_link(
    chromium_browser: Browser, demo_server: Server
) -> None:
    page = signed_in(chromium_browser, demo_server)
    page.goto(ORDERS_TAB)
    page.get_by_test_id("incident").filter(has_text="6 hours late").get_by_role(
        "link", name="Edit"
    ).click()

    # the Edit link opened the form
    title = page.get_by_label("Title", exact=True)
    expect(title).to_be_visible()
    page.get_by_label("Type", exact=True).select_option("CUSTOM")
    page.get_by_label("Custom type name").fill("Late load")
    assets = page.get_by_label("Affected assets")
    assets.fill(assets.input_value().strip() + "\n" + ORDER_EVENTS)
    first = page.get_by_role("combobox", name="Assignee 1")
    first.fill("asmith")
    expect(page.locator('#edit-people option[value="asmith"]')).to_have_count(1)  # suggested
    fields = page.locator("#edit [data-assignee-fields] input")
    before = fields.count()
    page.get_by_role("button", name="Add another assignee").click()
    added = page.get_by_role("combobox", name=f"Assignee {before + 1}")
    expect(added).to_be_focused()
    added.fill("nobody.here")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Dataflare knows no user or group 'nobody.here'"
    )
    expect(page.get_by_label("Custom type name")).to_have_value("Late load")  # kept
    page.locator('#edit input[name="assignee"][value="nobody.here"]').fill("")
    page.get_by_role("button", name="Save changes").click()

    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("changed the type to Custom (Late load) (was Freshness)")
    expect(timeline).to_contain_text(re.compile(r"changed the assets to .*orders_events \(was "))
    expect(timeline).to_contain_text("assigned it to asmith")
    page.context.close()
