"""The Incidents page over HTTP: every incident across assets, filtered, sorted, paged and
grouped by the database, the view in the URL; the header's count; refusals in words."""

from __future__ import annotations

import html
import re

import pytest
from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.access.helpers import PASSWORD, user_with_token
from tests.conftest import GraphQL
from tests.graphql.documents import CHART, KAFKA
from tests.ingest.mcps import ingest, ownership
from tests.web.conftest import ANN, raise_one, sign_in


def titles(page: str) -> list[str]:
    """The incidents' titles in the page's tables, in order."""
    found = re.findall(r'<th scope="row"><a href="/incident/[^"]+">([^<]*)</a>', page)
    return [html.unescape(t) for t in found]


@pytest.fixture
def ann(client: TestClient, db: Database) -> str:
    user_with_token(db, "ann", "Editor", PASSWORD)
    return sign_in(client, "ann")


def test_the_page_needs_a_signed_in_user(client: TestClient) -> None:
    answer = client.get("/incidents?state=ACTIVE", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fincidents%3Fstate%3DACTIVE"


def test_every_incident_newest_first_and_the_header_counts_the_active(
    client: TestClient, ann: str, three: dict[str, str]
) -> None:
    page = client.get("/incidents").text

    assert titles(page) == ["Late rows", "Chart broken", "Loader failed"]
    assert "Showing 1\N{EN DASH}3 of 3 incidents" in page
    assert '<span data-testid="active-total">2</span>' in page
    assert '<span data-testid="active-total">2</span>' in client.get("/settings").text


def test_filters_facets_and_sort_are_in_the_url(
    client: TestClient, ann: str, three: dict[str, str]
) -> None:
    active = client.get("/incidents?state=ACTIVE&sort=urgent").text
    on_kafka = client.get("/incidents", params={"asset": KAFKA, "query": "rows"}).text
    mine = client.get("/incidents?mine=1").text

    assert titles(active) == ["Loader failed", "Late rows"]
    assert 'name="state" value="ACTIVE" checked' in active
    assert '<option value="urgent" selected>' in active
    assert titles(on_kafka) == ["Late rows"]
    assert 'name="mine" value="1" checked' in mine and titles(mine) == ["Late rows"]
    # the facets count the matches, the assets by name, the people by name
    assert re.search(r'value="ACTIVE" checked> <span>Active</span> <span class="count">2<', active)
    assert re.search(r"<span>SampleKafkaDataset</span> <span class=\"count\">2<", active)
    assert re.search(r'<span>ann</span> <span class="count">1<', active)
    # the bulk form carries the view, to show it again after a change
    assert 'name="view" value="state=ACTIVE&amp;sort=urgent"' in active


def test_on_assets_i_own_owner_platform_and_dates(
    client: TestClient, ann: str, three: dict[str, str]
) -> None:
    ingest(client, ownership(CHART, ANN))

    owned = client.get("/incidents?owned=1").text
    by_owner = client.get("/incidents?owner=ann").text
    on_looker = client.get("/incidents?platform=looker").text
    since = client.get("/incidents?created_from=2000-01-01&created_to=2999-12-31").text
    future = client.get("/incidents?created_from=2999-01-01").text

    assert titles(owned) == titles(by_owner) == titles(on_looker) == ["Chart broken"]
    assert 'id="inc-owner" name="owner" value="ann"' in by_owner
    assert len(titles(since)) == 3 and "No incidents match." in future


def test_paging_is_answered_by_the_database(client: TestClient, ann: str, gql: GraphQL) -> None:
    for n in range(27):
        raise_one(gql, KAFKA, f"Run {n:02d} failed")

    second = client.get("/incidents?page=2").text
    beyond = client.get("/incidents?page=3", headers={"Accept": "text/html"})

    assert titles(second) == ["Run 01 failed", "Run 00 failed"]
    assert "Showing 26\N{EN DASH}27 of 27 incidents" in second
    assert 'href="/incidents" rel="prev"' in second
    assert beyond.status_code == 400 and "There is no page 3" in beyond.text


def test_grouped_by_asset_each_group_s_count_then_its_incidents(
    client: TestClient, ann: str, three: dict[str, str]
) -> None:
    page = client.get("/incidents?group=asset").text
    by_assignee = client.get("/incidents?group=assignee&state=ACTIVE").text

    groups = re.findall(r'<h2 id="group-\d+">([^<]*) <span class="count">(\d+) incident', page)
    assert groups == [("SampleKafkaDataset", "2"), ("look.1", "1")]
    assert titles(page) == ["Late rows", "Loader failed", "Chart broken"]
    assert "3 incidents in 2 groups by asset" in page
    nobody = re.findall(r'<h2 id="group-\d+">([^<]*) <span', by_assignee)
    assert nobody == ["Nobody (unassigned)", "ann"]  # as large: by key, "" first


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("sort=loudest", "Unknown sort 'loudest'"),
        ("group=colour", "Cannot group incidents by 'colour'"),
        ("created_from=yesterday", "'yesterday' in created from is not a date"),
        ("priority=URGENT", "Unknown priority 'URGENT'"),
        ("page=0", "Page '0' is not a page number"),
    ],
)
def test_a_bad_view_is_refused_in_words(
    client: TestClient, ann: str, query: str, named: str
) -> None:
    answer = client.get(f"/incidents?{query}", headers={"Accept": "text/html"})
    assert answer.status_code == 400
    assert named in html.unescape(answer.text)


def test_the_address_shows_the_view_without_empty_fields(
    client: TestClient, ann: str, three: dict[str, str]
) -> None:
    sent = "/incidents?query=&state=ACTIVE&owner=&sort=urgent&group=&page=1"

    plain = client.get(sent, follow_redirects=False)
    htmx = client.get(sent, headers={"HX-Request": "true"})

    assert plain.status_code == 303
    assert plain.headers["location"] == "/incidents?state=ACTIVE&sort=urgent"
    assert htmx.headers["HX-Push-Url"] == "/incidents?state=ACTIVE&sort=urgent"


def test_grouped_by_owner_an_incident_on_two_of_their_assets_counts_once(
    client: TestClient, ann: str, gql: GraphQL
) -> None:
    ingest(client, ownership(KAFKA, ANN), ownership(CHART, ANN, "urn:li:corpuser:bo"))
    raise_one(gql, KAFKA, "Both broken", resourceUrns=[KAFKA, CHART])
    raise_one(gql, CHART, "Chart late")

    page = client.get("/incidents?group=owner&sort=oldest").text

    groups = re.findall(r'<h2 id="group-\d+">([^<]*) <span class="count">(\d+) incident', page)
    assert groups == [("ann", "2"), ("bo", "2")]
    assert titles(page) == ["Both broken", "Chart late", "Both broken", "Chart late"]
