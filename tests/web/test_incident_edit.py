"""Editing an incident in the web UI: its type and affected assets, assignees from the people
Dataflare knows (a name nobody knows refused in words, nothing written), a timeline that shows
what each change replaced, and an Edit link that opens the form."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.access.helpers import PASSWORD, user_with_token
from tests.conftest import GraphQL
from tests.graphql.documents import ACTIVITY, INCIDENT, RAISE
from tests.ingest.mcps import dataset, ingest, mcp, ownership
from tests.web.test_views import ASSET

OTHER = dataset("kafka", "order_events")
GROUP = "urn:li:corpGroup:data-eng"


def raised(gql: GraphQL, **fields: Any) -> str:
    given = {"type": "FRESHNESS", "title": "Late", "resourceUrn": ASSET, **fields}
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


def page_of(urn: str) -> str:
    return "/incident/" + quote(urn, safe="")


def edit_form(csrf: str, urn: str, **fields: Any) -> dict[str, Any]:
    return {"csrf_token": csrf, "urn": urn, "title": "Late", "type": "FRESHNESS",
            "assets": ASSET, **fields}  # fmt: skip


def test_type_assets_and_assignees_change_and_the_timeline_says_what_they_were(
    client: TestClient,
    editor: str,
    gql: GraphQL,
) -> None:
    urn = raised(gql)

    form = edit_form(editor, urn, type="CUSTOM", custom_type="Late file", assignee=["ann", ""])
    edited = client.post("/incident/edit", data={**form, "assets": f"{ASSET}\n{OTHER}\n"})

    assert edited.status_code == 200, edited.text
    text = html.unescape(edited.text)
    assert "changed the type to Custom (Late file) (was Freshness)" in text
    assert "changed the assets to orders, order_events (was orders)" in text
    assert "assigned it to ann" in text
    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert (incident["incidentType"], incident["customType"]) == ("CUSTOM", "Late file")
    assert incident["entities"] == [{"urn": ASSET}, {"urn": OTHER}]
    assert incident["assignees"] == [{"urn": "urn:li:corpuser:ann", "username": "ann"}]


def test_an_assignee_nobody_knows_is_refused_by_name_and_nothing_is_written(
    client: TestClient,
    editor: str,
    gql: GraphQL,
) -> None:
    urn = raised(gql)

    refused = client.post(
        "/incident/edit",
        data=edit_form(editor, urn, title="Renamed", assignee=["ann", "anne.typo"]),
    )

    assert refused.status_code == 400
    text = html.unescape(refused.text)
    assert "Dataflare knows no user or group 'anne.typo'" in text
    assert '<details id="edit" class="editbox" open>' in refused.text  # the form stays open
    assert 'value="Renamed"' in refused.text and 'value="anne.typo"' in refused.text
    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert (incident["title"], incident["assignees"]) == ("Late", [])
    assert [e["kind"] for e in gql.data(ACTIVITY, {"urn": urn})["entity"]["activity"]] == ["RAISED"]


def test_people_from_accounts_and_metadata_are_suggested_and_accepted(
    client: TestClient,
    editor: str,
    gql: GraphQL,
    db: Database,
) -> None:
    user_with_token(db, "bob", "Reader", PASSWORD)
    ingest(
        client,
        ownership(ASSET, "urn:li:corpuser:jdoe", GROUP),
        mcp("urn:li:corpuser:jdoe", "corpUserInfo", {"active": True, "displayName": "Jane Doe"}),
    )
    urn = raised(gql)

    page = client.get(page_of(urn)).text
    saved = client.post(
        "/incident/edit", data=edit_form(editor, urn, assignee=["jdoe", GROUP, "bob"])
    )

    assert '<datalist id="edit-people">' in page
    for value, label in (("ann", "ann (account)"), ("bob", "bob (account)"),
                         ("jdoe", "Jane Doe"), (GROUP, "data-eng (group)")):  # fmt: skip
        assert f'<option value="{value}">{label}</option>' in page
    assert saved.status_code == 200, saved.text
    assignees = gql.data(INCIDENT, {"urn": urn})["entity"]["assignees"]
    assert [a["urn"] for a in assignees] == ["urn:li:corpuser:jdoe", GROUP, "urn:li:corpuser:bob"]


def test_an_assignee_from_elsewhere_does_not_block_other_changes(
    client: TestClient,
    editor: str,
    gql: GraphQL,
) -> None:
    urn = raised(gql, assigneeUrns=["urn:li:corpuser:from.the.api"])  # the API takes any URN

    saved = client.post(
        "/incident/edit", data=edit_form(editor, urn, title="Later", assignee="from.the.api")
    )

    assert saved.status_code == 200, saved.text
    assert gql.data(INCIDENT, {"urn": urn})["entity"]["title"] == "Later"


def test_the_form_refuses_no_asset_and_custom_without_a_name(
    client: TestClient,
    editor: str,
    gql: GraphQL,
) -> None:
    urn = raised(gql)

    no_asset = client.post("/incident/edit", data=edit_form(editor, urn, assets=" \n "))
    unnamed = client.post("/incident/edit", data=edit_form(editor, urn, type="CUSTOM"))

    assert no_asset.status_code == 400 and "needs at least one asset" in no_asset.text
    assert unnamed.status_code == 400 and "customType is required" in unnamed.text
    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert (incident["incidentType"], incident["entities"]) == ("FRESHNESS", [{"urn": ASSET}])


def test_the_edit_link_opens_the_form(
    client: TestClient,
    editor: str,
    gql: GraphQL,
) -> None:
    urn = raised(gql)
    tab = client.get("/asset/" + quote(ASSET, safe="") + "?tab=incidents").text

    assert f'href="{page_of(urn)}?edit=1#edit"' in html.unescape(tab)
    assert '<details id="edit" class="editbox" open>' in client.get(page_of(urn) + "?edit=1").text
    assert '<details id="edit" class="editbox">' in client.get(page_of(urn)).text
