"""The Insights page and its CSV over HTTP: signed-in only, the figures the page shows, bad
periods and charts refused in words, and text a spreadsheet would run kept as text."""

from __future__ import annotations

import csv
import html
import io
import re

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


def test_a_filtered_page_is_counted_exactly_from_one_read(
    client: TestClient, gql: GraphQL, reader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its groups by platform and owner are read from the links, and so are its totals, days
    and noisiest assets, even where the rollups could tell the totals."""
    other = dataset("kafka", "orders")
    ingest(client, properties(other, "orders"))

    def raise_on(urn: str, priority: str) -> str:
        raised = gql.data(
            RAISE, {"input": {"type": "SQL", "resourceUrn": urn, "priority": priority}}
        )
        return str(raised["raiseIncident"])

    high = [raise_on(FORMULA, "HIGH"), raise_on(FORMULA, "HIGH"), raise_on(other, "HIGH")]
    raise_on(other, "LOW")
    gql.data(UPDATE_STATUS, {"urn": high[0], "input": {"state": "RESOLVED"}})
    monkeypatch.setenv("DATAFLARE_FIGURES_EXACT_UP_TO", "0")  # the rollups whenever they can

    page = client.get("/insights?days=7&priority=HIGH")

    assert page.status_code == 200
    assert 'data-testid="estimated"' not in page.text
    assert "<dt>Raised</dt><dd>3</dd>" in page.text
    assert "<dt>Open at the end</dt><dd>2</dd>" in page.text
    noisy = page.text.split('data-testid="chart-noisy"')[1].split("</table>")[0]
    assert re.findall(r">(\w+)</a></td><td>(\d+)<", noisy) == [("sales", "2"), ("orders", "1")]
    by_platform = page.text.split('data-testid="chart-platform"')[1].split("</table>")[0]
    assert re.findall(r"<tr><td>(\w+)</td><td>(\d+)</td>", by_platform) == [("hive", "1")]


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
