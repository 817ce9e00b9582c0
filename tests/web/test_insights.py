"""The Insights page and its CSV over HTTP: signed-in only, the figures the page shows, bad
periods and charts refused in words, and text a spreadsheet would run kept as text."""

from __future__ import annotations

import csv
import html
import io

import pytest
from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.access.helpers import PASSWORD, user_with_token
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE, UPDATE_STATUS
from tests.ingest.mcps import dataset, ingest, properties
from tests.web.conftest import sign_in

FORMULA = dataset("hive", "sales")


@pytest.fixture
def reader(client: TestClient, db: Database) -> str:
    user_with_token(db, "rita", "Reader", PASSWORD)
    return sign_in(client, "rita")


def test_the_page_needs_a_signed_in_user(client: TestClient) -> None:
    answer = client.get("/insights", follow_redirects=False)
    assert answer.status_code in (302, 303)
    assert answer.headers["location"].startswith("/login")


def test_the_page_shows_the_period_s_figures(client: TestClient, gql: GraphQL, reader: str) -> None:
    for _ in range(3):
        gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": FORMULA}})

    page = client.get("/insights?days=7")

    assert page.status_code == 200
    assert "<dt>Raised</dt><dd>3</dd>" in page.text
    assert "<dt>Open at the end</dt><dd>3</dd>" in page.text
    assert 'href="/insights.csv?days=7&amp;chart=weekly"' in page.text


def test_figures_read_from_the_rollups_say_their_ranks_are_estimated(
    client: TestClient, gql: GraphQL, reader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    urns = [gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": FORMULA}}) for _ in range(3)]
    gql.data(UPDATE_STATUS, {"urn": urns[0]["raiseIncident"], "input": {"state": "RESOLVED"}})
    exact = client.get("/insights?days=7")
    monkeypatch.setenv("DATAFLARE_FIGURES_EXACT_UP_TO", "0")  # the rollups whenever they can
    rolled = client.get("/insights?days=7")

    assert 'data-testid="estimated"' not in exact.text
    assert 'data-testid="estimated"' in rolled.text
    for page in (exact, rolled):  # the counts are the same either way
        assert "<dt>Raised</dt><dd>3</dd>" in page.text
        assert "<dt>Open at the end</dt><dd>2</dd>" in page.text


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/insights?days=12", "Unknown period '12'"),
        ("/insights?type=BROKEN", "Unknown incident type 'BROKEN'"),
        ("/insights?priority=URGENT", "Unknown priority 'URGENT'"),
        ("/insights.csv?chart=pie", "Unknown chart 'pie'"),
    ],
)
def test_bad_choices_are_refused_in_words(
    client: TestClient, reader: str, path: str, named: str
) -> None:
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.status_code == 400
    assert named in html.unescape(answer.text)


def test_csv_keeps_a_formula_looking_name_as_text(
    client: TestClient, gql: GraphQL, reader: str
) -> None:
    ingest(client, properties(FORMULA, '=HYPERLINK("http://evil.example","x")'))
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": FORMULA}})

    answer = client.get("/insights.csv?days=30&chart=noisy")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="dataflare-noisy-30d.csv"' in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows == [
        ["Asset", "Incidents raised"],
        ['\'=HYPERLINK("http://evil.example","x")', "1"],
    ]
