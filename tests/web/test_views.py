"""The web UI's views over HTTP: sign-in redirects, CSRF, privileges, and every refusal shown as
a message a person can read (never a 500, never a half-written change)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from dataflare.db.database import Database
from dataflare.web import settings
from dataflare.web.assets import summary_line
from tests.access.helpers import PASSWORD, user_with_token
from tests.conftest import ADMIN_TOKEN, GraphQL
from tests.graphql.documents import RAISE
from tests.web.conftest import sign_in

ASSET = "urn:li:dataset:(urn:li:dataPlatform:hive,orders,PROD)"
ASSET_PAGE = "/asset/" + quote(ASSET, safe="")
UPDATE_STATUS = (
    "mutation ($urn: String!) { updateIncidentStatus(urn: $urn, input: {state: RESOLVED}) }"
)
INCIDENTS = (
    '{ dataset(urn: "' + ASSET + '") { incidents(start: 0, count: 10) { total '
    "incidents { urn title customType status { state } } } } }"
)


def raise_form(csrf: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf, "asset": ASSET, "type": "FRESHNESS", "title": "Late", **fields}


def incidents(gql: GraphQL) -> list[dict[str, object]]:
    found: list[dict[str, object]] = gql.data(INCIDENTS)["dataset"]["incidents"]["incidents"]
    return found


def test_pages_send_a_visitor_to_sign_in_and_back(client: TestClient) -> None:
    page = client.get(ASSET_PAGE + "?tab=incidents", follow_redirects=False)
    fragment = client.get(
        ASSET_PAGE,
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/search?query=x"},
    )

    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=" + quote(
        "/asset/" + ASSET + "?tab=incidents", safe=""
    )
    assert fragment.headers["HX-Redirect"] == "/login?next=%2Fsearch%3Fquery%3Dx"
    assert client.get("/settings", follow_redirects=False).status_code == 303
    assert client.get("/api/graphiql", follow_redirects=False).status_code == 303


def test_raising_from_the_dialog_shows_the_incidents_tab(
    client: TestClient, editor: str, gql: GraphQL, db: Database
) -> None:
    user_with_token(db, "jdoe", "Reader", PASSWORD)  # an assignee must be someone known
    added = client.post(
        "/incidents/raise",
        data=raise_form(editor, type="CUSTOM", custom_type="Late delivery", assignees="jdoe"),
        headers={"HX-Request": "true"},
    )

    assert added.status_code == 200
    assert 'id="asset-main"' in added.text and "<html" not in added.text
    assert "There is 1 active incident" in added.text
    assert "Late delivery" in added.text and "jdoe" in added.text
    [incident] = incidents(gql)
    assert incident["customType"] == "Late delivery"


def test_a_refused_raise_names_the_problem_and_writes_nothing(
    client: TestClient, editor: str, gql: GraphQL
) -> None:
    htmx = {"HX-Request": "true"}
    custom = client.post("/incidents/raise", data=raise_form(editor, type="CUSTOM"), headers=htmx)
    untitled = client.post("/incidents/raise", data=raise_form(editor, title=""), headers=htmx)
    unknown = client.post("/incidents/raise", data=raise_form(editor, type="BOGUS"))
    assignee = client.post(
        "/incidents/raise", data=raise_form(editor, assignees="urn:li:dataset:x"), headers=htmx
    )

    assert custom.status_code == 400 and custom.headers["HX-Retarget"] == "#raise-error"
    assert "customType is required" in custom.text
    assert untitled.status_code == 400 and "Give the incident a title" in untitled.text
    assert unknown.status_code == 400 and "<html" in unknown.text
    assert "Invalid incident type &#39;BOGUS&#39;" in unknown.text
    assert assignee.status_code == 400 and "Invalid assignee URN" in assignee.text
    assert incidents(gql) == []


def test_a_post_without_the_sessions_csrf_token_is_refused(
    client: TestClient, editor: str, gql: GraphQL
) -> None:
    forged = client.post("/incidents/raise", data=raise_form("not the token"))
    with_header = client.post(
        "/incidents/raise",
        data=raise_form(""),
        headers={"X-CSRF-Token": editor},
        follow_redirects=False,
    )

    assert forged.status_code == 403 and "The form has expired" in forged.text
    assert with_header.status_code == 303  # htmx sends the token as a header
    assert len(incidents(gql)) == 1


def test_a_reader_sees_why_they_cannot_raise_and_is_refused(
    client: TestClient, db: Database, gql: GraphQL
) -> None:
    user_with_token(db, "rita", "Reader", PASSWORD)
    csrf = sign_in(client, "rita")

    unseen = client.get(ASSET_PAGE)
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ASSET}})  # Dataflare knows it now
    page = client.get(ASSET_PAGE)
    refused = client.post("/incidents/raise", data=raise_form(csrf), headers={"HX-Request": "true"})

    assert unseen.status_code == 404 and "Dataflare has not seen this asset" in unseen.text
    assert "Raise" not in unseen.text  # not offered to who may not
    assert page.status_code == 200
    assert 'aria-disabled="true" aria-describedby="no-raise"' in page.text
    assert "needs the Editor role" in page.text
    assert 'id="raise-dialog"' not in page.text
    assert refused.status_code == 403 and "Unauthorized to perform this action" in refused.text
    assert len(incidents(gql)) == 1
    assert "Users" not in client.get("/settings").text  # only admins see the users


def test_an_unseen_asset_is_a_404_that_offers_an_editor_to_raise(
    client: TestClient, editor: str, gql: GraphQL
) -> None:
    unseen = client.get(ASSET_PAGE)
    tab = client.get(ASSET_PAGE + "?tab=incidents", headers={"HX-Request": "true"})
    raised = client.post("/incidents/raise", data=raise_form(editor), follow_redirects=False)
    seen = client.get(ASSET_PAGE)

    assert unseen.status_code == 404 and "Dataflare has not seen this asset" in unseen.text
    assert "Healthy" not in unseen.text
    assert "Raise an incident on it" in unseen.text and 'id="raise-dialog"' in unseen.text
    assert tab.status_code == 404 and "Dataflare has not seen this asset" in tab.text
    assert raised.status_code == 303
    assert seen.status_code == 200 and "Dataflare has not seen" not in seen.text


def test_a_change_to_the_state_an_incident_is_in_is_refused_and_writes_nothing(
    client: TestClient, editor: str, gql: GraphQL
) -> None:
    client.post("/incidents/raise", data=raise_form(editor))
    [incident] = incidents(gql)
    resolve = {"csrf_token": editor, "urn": str(incident["urn"]), "state": "RESOLVED"}
    client.post("/incident/status", data={**resolve, "message": "fixed"})
    before = client.get("/incident/" + quote(str(incident["urn"]), safe="")).text

    again = client.post("/incident/status", data={**resolve, "message": "fixed twice"})
    from_tab = client.post(
        "/incident/status",
        data={**resolve, "asset": ASSET, "show": "active", "error_target": "#e"},
        headers={"HX-Request": "true"},
    )
    after = client.get("/incident/" + quote(str(incident["urn"]), safe="")).text

    assert again.status_code == 409 and "already resolved: nothing was changed" in again.text
    assert from_tab.status_code == 409 and 'id="asset-main"' in from_tab.text  # the tab renewed
    assert "already resolved: nothing was changed" in from_tab.text
    assert "There are no active incidents" in from_tab.text
    assert after.count("resolved the incident") == before.count("resolved the incident") == 1
    assert "fixed twice" not in after
    api = gql.data(UPDATE_STATUS, {"urn": incident["urn"]})
    assert api == {"updateIncidentStatus": "true"}  # the API stays idempotent, as DataHub's


def test_resolve_reopen_and_edit_report_what_went_wrong(
    client: TestClient, editor: str, gql: GraphQL, db: Database
) -> None:
    user_with_token(db, "bob", "Reader", PASSWORD)
    client.post("/incidents/raise", data=raise_form(editor))
    [incident] = incidents(gql)
    urn = str(incident["urn"])

    missing = client.post(
        "/incident/status",
        data={"csrf_token": editor, "urn": "urn:li:incident:nope", "state": "RESOLVED"},
    )
    bad_state = client.post(
        "/incident/status",
        data={"csrf_token": editor, "urn": urn, "state": "DONE", "error_target": "#e"},
        headers={"HX-Request": "true"},
    )
    untitled = client.post("/incident/edit", data={"csrf_token": editor, "urn": urn, "title": ""})
    edit = {"csrf_token": editor, "urn": urn, "title": "Later", "priority": "LOW"}
    edited = client.post("/incident/edit", data={**edit, "stage": "FIXED", "assignees": "bob"})
    resolved = client.post(
        "/incident/status",
        data={"csrf_token": editor, "urn": urn, "state": "RESOLVED", "message": "fixed"},
        follow_redirects=False,
    )

    assert missing.status_code == 404 and "There is no incident" in missing.text
    assert bad_state.status_code == 400 and bad_state.headers["HX-Retarget"] == "#e"
    assert "Invalid incident state &#39;DONE&#39;" in bad_state.text
    assert untitled.status_code == 400 and "An incident needs a title." in untitled.text
    assert edited.status_code == 200  # back on the incident's page
    for change in (
        "changed the title to “Later” (was “Late”)",
        "set the priority to Low",
        "set the stage to Fixed",
    ):
        assert change in edited.text
    assert "assigned it to bob" in edited.text
    assert resolved.status_code == 303
    page = client.get(resolved.headers["location"])
    assert "ann</strong> resolved the incident" in page.text and "fixed" in page.text
    tab = client.get(ASSET_PAGE + "?tab=incidents&show=all").text
    assert "There are no active incidents" in tab
    assert re.search(r"Resolved <span class=\"count\">1</span>", tab)


def test_unknown_pages_and_bad_parameters_are_explained(client: TestClient, editor: str) -> None:
    no_route = client.get("/nowhere", headers={"Accept": "text/html"})
    api_route = client.get("/api/nowhere")
    not_an_asset = client.get("/asset/urn:li:corpuser:ann")
    no_incident = client.get("/incident/urn:li:incident:nope")
    bad_page = client.get("/search?page=0")
    beyond = client.get("/search?page=99")
    bad_token = client.post("/settings/tokens", data={"csrf_token": editor, "name": " "})
    bad_revoke = client.post(
        "/settings/tokens/revoke", data={"csrf_token": editor, "token_id": "nope"}
    )

    assert no_route.status_code == 404 and "There is no such page." in no_route.text
    assert api_route.status_code == 404 and api_route.json()["errors"][0]["message"]
    assert not_an_asset.status_code == 404 and "an asset URN looks like" in not_an_asset.text
    assert no_incident.status_code == 404 and "There is no incident" in no_incident.text
    assert bad_page.status_code == 400 and "is not a page number" in bad_page.text
    assert beyond.status_code == 200 and "No assets match" in beyond.text
    assert bad_token.status_code == 400 and "Give the token a name" in bad_token.text
    assert bad_revoke.status_code == 404 and "does not exist" in bad_revoke.text


def test_search_filters_on_has_active_incidents(
    client: TestClient, editor: str, gql: GraphQL
) -> None:
    healthy = "urn:li:dataset:(urn:li:dataPlatform:hive,customers,PROD)"
    gql.data(
        'mutation { a: raiseIncident(input: {type: SQL, resourceUrn: "' + ASSET + '"}) '
        'b: raiseIncident(input: {type: SQL, resourceUrn: "' + healthy + '", '
        "status: {state: RESOLVED}}) }"
    )

    everything = client.get("/search").text
    unhealthy = client.get("/search?active=true").text
    home = client.get("/").text

    assert "Showing 1\u20132 of 2 assets" in everything
    assert "Showing 1\u20131 of 1 asset" in unhealthy and ">orders<" in unhealthy
    assert 'data-testid="unhealthy-count">1<' in home


@pytest.mark.parametrize(
    ("active", "everything", "line"),
    [
        (0, 0, "No incidents have been raised"),
        (0, 2, "There are no active incidents"),
        (1, 1, "There is 1 active incident"),
        (3, 4, "There are 3 active incidents"),
    ],
)
def test_the_incidents_summary_line(active: int, everything: int, line: str) -> None:
    assert summary_line(active, everything) == line


def test_search_results_come_ten_to_a_page(client: TestClient, editor: str, gql: GraphQL) -> None:
    raises = " ".join(
        f"r{n}: raiseIncident(input: {{type: SQL, "
        f'resourceUrn: "urn:li:dataset:(urn:li:dataPlatform:hive,t{n:02},PROD)"}})'
        for n in range(12)
    )
    gql.data(f"mutation {{ {raises} }}")

    first = client.get("/search?query=hive").text
    second = client.get("/search?query=hive&page=2").text
    third = client.get("/search?query=hive&page=3")

    assert "Showing 1\u201310 of 12 assets" in first and ">t09<" in first
    assert 'href="/search?query=hive&amp;page=2" rel="next"' in first
    assert "Showing 11\u201312 of 12 assets" in second and ">t11<" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert third.status_code == 400 and "There is no page 3" in third.text


def test_graphiql_is_served_from_our_own_files(
    client: TestClient, editor: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    page = client.get("/api/graphiql").text
    scripts = re.findall(r'src="(/static/[^"]+)"', page)

    assert "/static/vendor/graphiql.min.js" in {script.split("?v=")[0] for script in scripts}
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from another site
    for script in scripts:
        assert client.get(script).status_code == 200, script

    monkeypatch.setattr(settings, "GRAPHIQL_BUNDLE", tmp_path / "missing.js")
    missing = client.get("/api/graphiql")
    assert missing.status_code == 404 and "run `make setup`" in missing.text


def test_the_timeline_counts_repeat_raises_of_a_dedup_key(
    client: TestClient, editor: str, gql: GraphQL
) -> None:
    given = {"type": "VOLUME", "resourceUrn": ASSET, "dedupKey": "rows"}
    for _ in range(3):
        urn = gql.data(RAISE, {"input": given})["raiseIncident"]

    page = client.get("/incident/" + quote(urn, safe=""))

    assert page.status_code == 200
    assert "raised it again (2 raises in all)" in page.text
    assert "raised it again (3 raises in all)" in page.text


def test_the_timeline_says_which_changes_an_agent_made_through_mcp(
    client: TestClient, editor: str, gql: GraphQL
) -> None:
    by_hand = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ASSET}})["raiseIncident"]
    body = {"query": RAISE, "variables": {"input": {"type": "SQL", "resourceUrn": ASSET}}}
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "X-Dataflare-Via": "mcp"}
    by_agent = client.post("/api/graphql", json=body, headers=headers).json()
    agent_urn = by_agent["data"]["raiseIncident"]

    agent_page = client.get("/incident/" + quote(agent_urn, safe=""))
    hand_page = client.get("/incident/" + quote(by_hand, safe=""))

    assert 'raised the incident <span class="via"' in agent_page.text
    assert ">via MCP</span>" in agent_page.text
    assert "via MCP" not in hand_page.text
