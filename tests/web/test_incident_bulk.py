"""Bulk actions on the Incidents page over HTTP: each selected row changed through the incident
service in a savepoint of its own, its outcome shown; refusals in words, writing nothing; the
home page's lists of your incidents and the search rows' incident summary."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.access.helpers import PASSWORD, user_with_token
from tests.conftest import GraphQL
from tests.graphql.documents import CHART, KAFKA
from tests.ingest.mcps import ingest, ownership
from tests.web.conftest import ANN, raise_one, sign_in

STATES = """query ($input: SearchAcrossEntitiesInput!) { searchAcrossEntities(input: $input) {
  searchResults { entity { ... on Incident { title priority incidentStatus { state stage }
  assignees { ... on CorpUser { urn } } } } } } }"""


def incidents(gql: GraphQL) -> dict[str, dict[str, Any]]:
    given = {"input": {"types": ["INCIDENT"], "query": "*"}}
    found = gql.data(STATES, given)["searchAcrossEntities"]["searchResults"]
    return {r["entity"]["title"]: r["entity"] for r in found}


def outcomes(page: str) -> list[str]:
    """Each row's outcome, as the page says it."""
    found = re.findall(
        r'<li class="(\w+)"><a href="/incident/[^"]+">([^<]*)</a>: ([^<]*)</li>', page
    )
    return [f"{kind} {html.unescape(title)}: {html.unescape(text)}" for kind, title, text in found]


def bulk(client: TestClient, csrf: str, urns: list[str], action: str, **fields: str) -> Any:
    form: dict[str, Any] = {"csrf_token": csrf, "urn": urns, "action": action, **fields}
    form.setdefault("view", "state=ACTIVE")
    return client.post("/incidents/bulk", data=form, headers={"HX-Request": "true"})


@pytest.fixture
def signed_in(client: TestClient, db: Database, request: pytest.FixtureRequest) -> str:
    role = getattr(request, "param", "Editor")
    user_with_token(db, "ann", role, PASSWORD)
    return sign_in(client, "ann")


def test_bulk_resolve_reports_each_row(
    client: TestClient, gql: GraphQL, signed_in: str, three: dict[str, str]
) -> None:
    urns = [three["loader"], three["chart"], "urn:li:incident:nope"]

    answer = bulk(client, signed_in, urns, "resolve", message="Fixed upstream")

    assert answer.status_code == 200
    assert outcomes(answer.text) == [
        "changed Loader failed: Resolved.",
        "same Chart broken: Already resolved: left as it was.",
        "refused urn:li:incident:nope: There is no incident 'urn:li:incident:nope'.",
    ]
    assert "Resolve: 1 changed, 1 refused, 1 left as they were." in answer.text
    # the view is shown again, as it was asked for, without what was resolved
    assert 'name="state" value="ACTIVE" checked' in answer.text
    assert incidents(gql)["Loader failed"]["incidentStatus"]["state"] == "RESOLVED"


def test_bulk_assign_priority_and_stage(
    client: TestClient, gql: GraphQL, signed_in: str, three: dict[str, str], db: Database
) -> None:
    both = [three["loader"], three["late"]]
    user_with_token(db, "bo", "Reader", PASSWORD)  # an assignee must be someone known

    unknown = bulk(client, signed_in, both, "assign", assignees="ann, nobody.here")
    assigned = bulk(client, signed_in, both, "assign", assignees="ann, bo")
    prioritised = bulk(client, signed_in, both, "priority", priority="HIGH")
    staged = bulk(client, signed_in, both, "stage", stage="INVESTIGATION")
    again = bulk(client, signed_in, [three["late"]], "stage", stage="INVESTIGATION")

    assert [o.split(":")[0] for o in outcomes(unknown.text)] == [
        "refused Loader failed",
        "refused Late rows",
    ]
    assert "Dataflare knows no user or group 'nobody.here'" in html.unescape(unknown.text)
    assert outcomes(assigned.text) == [
        "changed Loader failed: Assigned to ann, bo.",
        "changed Late rows: Assigned to ann, bo.",
    ]
    assert "changed Late rows: Priority set to High." in outcomes(prioritised.text)
    assert "changed Loader failed: Stage set to Investigation." in outcomes(staged.text)
    assert outcomes(again.text) == [
        "same Late rows: Stage set to Investigation already: left as it was."
    ]
    found = incidents(gql)["Late rows"]
    assert found["priority"] == "HIGH"
    assert found["incidentStatus"]["stage"] == "INVESTIGATION"
    assert [a["urn"] for a in found["assignees"]] == [ANN, "urn:li:corpuser:bo"]


@pytest.mark.parametrize("signed_in", ["Reader"], indirect=True)
def test_a_reader_is_refused_in_words_but_may_change_what_they_own(
    client: TestClient, gql: GraphQL, signed_in: str, three: dict[str, str]
) -> None:
    ingest(client, ownership(CHART, ANN))

    answer = bulk(client, signed_in, [three["loader"], three["chart"]], "reopen")

    assert answer.status_code == 200
    assert outcomes(answer.text) == [
        "refused Loader failed: Not changed: you may not change incidents on "
        "SampleKafkaDataset. That needs the Editor role, or being an owner of every asset "
        "the incident is on.",
        "changed Chart broken: Reopened.",
    ]
    assert "Your role (Reader) changes only incidents on assets you own" in answer.text
    found = incidents(gql)
    assert found["Loader failed"]["incidentStatus"]["state"] == "ACTIVE"
    assert found["Chart broken"]["incidentStatus"]["state"] == "ACTIVE"


def test_a_bad_batch_is_refused_whole(
    client: TestClient, gql: GraphQL, signed_in: str, three: dict[str, str]
) -> None:
    nothing = bulk(client, signed_in, [], "resolve")
    unknown = bulk(client, signed_in, [three["loader"]], "explode")
    bad_priority = bulk(client, signed_in, [three["loader"]], "priority", priority="URGENT")
    forged = client.post(
        "/incidents/bulk", data={"csrf_token": "x", "urn": three["loader"], "action": "resolve"}
    )

    assert nothing.status_code == 400 and "Select at least one incident" in nothing.text
    assert unknown.status_code == 400 and "Choose what to do" in unknown.text
    assert bad_priority.status_code == 200  # each row refused in words
    assert "refused Loader failed:" in outcomes(bad_priority.text)[0]
    assert forged.status_code == 403
    assert incidents(gql)["Loader failed"]["priority"] == "CRITICAL"


def test_home_shows_what_is_assigned_to_you_and_on_assets_you_own(
    client: TestClient, signed_in: str, three: dict[str, str]
) -> None:
    ingest(client, ownership(KAFKA, ANN))

    home = client.get("/").text

    assigned = home.split('data-testid="yours-assigned"')[1].split('data-testid="yours-owned"')[0]
    owned = home.split('data-testid="yours-owned"')[1]
    assert "Late rows" in assigned and "Loader failed" not in assigned
    assert owned.index("Loader failed") < owned.index("Late rows")  # most urgent first
    assert 'href="/incidents?state=ACTIVE&amp;owned=1&amp;sort=urgent"' in owned


def test_search_rows_show_the_active_count_and_highest_priority(
    client: TestClient, signed_in: str, three: dict[str, str]
) -> None:
    page = client.get("/search").text

    assert '<span class="pill bad" data-testid="active-summary">2 active · Critical</span>' in page


def test_without_script_the_answer_is_the_whole_page_with_the_outcomes(
    client: TestClient, signed_in: str, three: dict[str, str]
) -> None:
    form = {"csrf_token": signed_in, "urn": [three["late"]], "action": "priority"}
    form |= {"priority": "LOW", "view": "group=type"}

    answer = client.post("/incidents/bulk", data=form)

    assert answer.status_code == 200 and "<html" in answer.text
    assert outcomes(answer.text) == ["changed Late rows: Priority set to Low."]
    assert '<option value="type" selected>' in answer.text  # the view it was sent from


def test_a_change_that_empties_the_page_shows_the_last_one(
    client: TestClient, gql: GraphQL, signed_in: str
) -> None:
    urns = [raise_one(gql, KAFKA, f"Run {n:02d} failed") for n in range(26)]

    answer = bulk(client, signed_in, [urns[0]], "resolve", view="state=ACTIVE&page=2")

    assert answer.status_code == 200
    assert outcomes(answer.text) == ["changed Run 00 failed: Resolved."]
    assert "Page 1 of 1" in answer.text
