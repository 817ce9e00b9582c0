"""What people see of assertions: the check behind an incident, an asset's Assertions tab
(failing first), an assertion's own page, and the health popover naming failing checks. Every
assertion arrives through the real ingestion path."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from dataflare.assertions import reading
from dataflare.core.config import Settings
from dataflare.db.database import Database
from tests.assertions.documents import ASSERTION, ORDERS, dataset_info, run
from tests.conftest import ADMIN_TOKEN, GraphQL
from tests.ingest.mcps import dataset, ingest, mcp
from tests.statements import statements

T0 = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC
NAME = "column_value_is_less_than(col1)"
ORDERS_PAGE = "/asset/" + quote(ORDERS, safe="")
ASSERTION_PAGE = "/assertion/" + quote(ASSERTION, safe="")
PASSING = "urn:li:assertion:passing"
ERRORING = "urn:li:assertion:erroring"
NEVER = "urn:li:assertion:never"
FAILING = "urn:li:assertion:failing"
MONTE = "urn:li:assertion:monte-carlo-7"
INCIDENT_URN = re.compile(r'href="/incident/(urn%3Ali%3Aincident%3A[^"]+)"')


def text(page: str) -> str:
    """The page's words, tags dropped and entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def incident_of(client: TestClient) -> str:
    page = client.get(ORDERS_PAGE + "?tab=incidents&show=all").text
    found = INCIDENT_URN.search(page)
    assert found, "the asset lists no incident"
    return "/incident/" + found.group(1)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """No notification worker in the server: delivering the incidents the checks raise, it
    would send statements while a page whose statements a test counts is being read."""
    return Settings(
        home=tmp_path, database_url=database_url, admin_token=ADMIN_TOKEN, notify_in_server=False
    )


def info(urn: str, description: str | None = None, column: str = "col1") -> dict[str, Any]:
    fields: dict[str, Any] = {"description": description} if description else {}
    made = dataset_info(urn, **fields)
    return _with_column(made, column)


def _with_column(proposal: dict[str, Any], column: str) -> dict[str, Any]:
    value = proposal["aspect"]["value"].replace(",col1)", f",{column})")
    return {**proposal, "aspect": {**proposal["aspect"], "value": value}}


def test_an_incident_from_a_failing_run_shows_the_check_and_its_newest_runs(
    client: TestClient, editor: str
) -> None:
    runs = [run(T0 + i * 60_000, "SUCCESS", run_id=f"pass-{i}") for i in range(11)]
    ingest(client, dataset_info(), *runs)
    ingest(client, run(T0 + 11 * 60_000, "FAILURE", run_id="fail-11", actualAggValue=101))

    page = client.get(incident_of(client))

    assert page.status_code == 200
    said = text(page.text)
    assert "Check Raised by the assertion " + NAME in said
    assert "Type Dataset" in said
    assert "Native type column_value_is_less_than" in said
    assert "Columns col1" in said
    assert "Operator less than" in said
    assert "Parameters max_value = 99" in said
    assert "Asset orders" in said  # by its name
    assert f'href="{ASSERTION_PAGE}"' in page.text
    runs_table = page.text[page.text.index('id="check-runs"') :]
    runs_table = runs_table[: runs_table.index("</table>")]
    ids = re.findall(r"<code>([^<]+)</code>", runs_table)
    assert ids == ["fail-11", *[f"pass-{i}" for i in range(10, 1, -1)]]  # the 10 newest
    assert "Failed" in text(runs_table) and "Observed value: 101" in text(runs_table)
    assert "Passed" in text(runs_table)


def test_an_incident_naming_an_assertion_never_sent_says_so(
    client: TestClient, editor: str
) -> None:
    incident = "urn:li:incident:mc-1"
    ingest(
        client,
        mcp(
            incident,
            "incidentInfo",
            {
                "type": "FRESHNESS",
                "entities": [ORDERS],
                "status": {
                    "state": "ACTIVE",
                    "lastUpdated": {"time": T0, "actor": "urn:li:corpuser:mc"},
                },
                "source": {"type": "ASSERTION_FAILURE", "sourceUrn": MONTE},
                "created": {"time": T0, "actor": "urn:li:corpuser:mc"},
            },
        ),
    )

    page = client.get("/incident/" + quote(incident, safe=""))

    assert page.status_code == 200
    assert "which Dataflare does not know" in text(page.text)
    assert MONTE in page.text
    assert "/assertion/" not in page.text  # nothing to link to


def test_an_incident_raised_by_a_person_has_no_check_section(
    client: TestClient, editor: str, gql: GraphQL
) -> None:
    from tests.web.conftest import raise_one

    urn = raise_one(gql, ORDERS, "Late")
    page = client.get("/incident/" + quote(urn, safe=""))
    assert page.status_code == 200 and 'data-testid="check"' not in page.text


def _four_checks(client: TestClient) -> None:
    ingest(
        client,
        info(PASSING, "Order ids are unique", "id"),
        info(NEVER, "Amounts are positive", "amount"),
        info(ERRORING, "Currency is known", "currency"),
        info(FAILING, "Customer is set", "customer"),
        run(T0, "SUCCESS", urn=PASSING, run_id="a"),
        run(T0 + 1, "ERROR", urn=ERRORING, run_id="b"),
        run(T0 + 2, "FAILURE", urn=FAILING, run_id="c", unexpectedCount=3),
    )


def test_the_assertions_tab_lists_failing_first_then_erroring_passing_never_run(
    client: TestClient, editor: str
) -> None:
    _four_checks(client)

    page = client.get(ORDERS_PAGE + "?tab=assertions")

    assert page.status_code == 200
    assert 'id="tab-assertions" aria-selected="true"' in page.text
    rows = re.findall(
        r'<tr data-result="(\w+)">\s*<th scope="row"[^>]*><a href="([^"]+)">([^<]+)</a>', page.text
    )
    assert [(r[0], r[2]) for r in rows] == [
        ("FAILURE", "Customer is set"),
        ("ERROR", "Currency is known"),
        ("SUCCESS", "Order ids are unique"),
        ("NONE", "Amounts are positive"),
    ]
    assert rows[0][1] == "/assertion/" + quote(FAILING, safe="")
    said = text(page.text)
    assert "Customer is set Failing Dataset customer 2023-11-14 22:13 UTC" in said
    assert "Amounts are positive Never run Dataset amount Never" in said
    assert "<caption>" in page.text


def test_the_assertions_tab_lists_a_bounded_number_failing_first_and_says_how_many(
    client: TestClient, editor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_ON_ASSET", 2)
    _four_checks(client)

    page = client.get(ORDERS_PAGE + "?tab=assertions")

    assert "Showing 2 of 4 checks, failing first." in text(page.text)
    assert page.text.count('<tr data-result="') == 2
    assert '<tr data-result="FAILURE">' in page.text and '<tr data-result="ERROR">' in page.text


def test_the_assertions_tab_says_when_there_are_none(client: TestClient, editor: str) -> None:
    ingest(client, mcp(ORDERS, "datasetProperties", {"name": "orders", "customProperties": {}}))

    page = client.get(ORDERS_PAGE + "?tab=assertions", headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert "No assertions on this asset." in page.text
    assert 'id="tab-panel" aria-labelledby="tab-assertions"' in page.text


def test_the_assertion_page_shows_the_check_its_runs_and_the_incidents_it_raised(
    client: TestClient, editor: str
) -> None:
    ingest(client, dataset_info(), run(T0, "FAILURE", run_id="r1", actualAggValue=101))
    ingest(client, run(T0 + 60_000, "SUCCESS", run_id="r2"))
    ingest(client, run(T0 + 120_000, "FAILURE", run_id="r3", externalUrl="https://dbt/r3"))

    page = client.get(ASSERTION_PAGE)

    assert page.status_code == 200
    said = text(page.text)
    assert f"<h1>{NAME}</h1>" in page.text
    assert "Last result Failing at 2023-11-14 22:15 UTC" in said
    runs = re.findall(r"<code>(r\d)</code>", page.text)
    assert runs == ["r3", "r2", "r1"]  # newest first
    assert 'href="https://dbt/r3"' in page.text
    raised = page.text[page.text.index('data-testid="raised"') :]
    assert raised.count('href="/incident/') == 2  # the first, resolved by r2, and the second
    assert "Active" in text(raised) and "Resolved" in text(raised)


def test_an_unknown_assertion_is_the_not_found_page(client: TestClient, editor: str) -> None:
    for urn in ("urn:li:assertion:nobody-sent-me", "urn:li:dataset:nope", "<b>x</b>"):
        page = client.get("/assertion/" + quote(urn, safe=""))
        assert page.status_code == 404
        assert "There is no assertion" in text(page.text)
        assert "<b>x</b>" not in page.text


def test_the_health_popover_names_the_failing_checks_on_the_asset_and_in_search(
    client: TestClient, editor: str
) -> None:
    _four_checks(client)
    ingest(client, info("urn:li:assertion:evil", "<script>alert(1)</script>", "x"))
    ingest(client, run(T0 + 5, "FAILURE", urn="urn:li:assertion:evil", run_id="e"))

    for page in (client.get(ORDERS_PAGE), client.get("/search?query=orders"), client.get("/")):
        assert page.status_code == 200
        popover = page.text[page.text.index('data-testid="assertion-health">') + 31 :]
        popover = popover[: popover.index("</div>")]
        said = text(popover)
        assert said.startswith("2 of 4 assertions are failing:")
        assert "Customer is set (Failing)" in said
        assert "<script>alert(1)</script> (Failing)" in said  # as text
        assert "<script>" not in popover
        assert f'href="/assertion/{quote(FAILING, safe="")}"' in popover
        assert "Currency is known" not in said  # erroring, not failing
        assert 'aria-label="Health: unhealthy"' in page.text


def test_a_search_page_reads_assertion_health_in_the_same_statements_whatever_its_size(
    client: TestClient, editor: str, db: Database
) -> None:
    def search_costs(tables: int) -> int:
        with statements(db.engine) as seen:
            page = client.get("/search?query=tbl")
        assert page.status_code == 200
        assert text(page.text).count("1 of 1 assertions are failing: Check") == tables
        return len(seen)

    def one_table(i: int) -> None:
        table = dataset("snowflake", f"tbl{i}")
        check = f"urn:li:assertion:t{i}"
        ingest(
            client, _on(info(check, f"Check {i}"), table), run(T0, "FAILURE", urn=check, on=table)
        )

    one_table(0)
    for_one = search_costs(1)
    for i in range(1, 8):
        one_table(i)
    for_many = search_costs(8)

    assert for_many == for_one


def _on(proposal: dict[str, Any], table: str) -> dict[str, Any]:
    value = proposal["aspect"]["value"].replace(ORDERS, table)
    return {**proposal, "aspect": {**proposal["aspect"], "value": value}}
