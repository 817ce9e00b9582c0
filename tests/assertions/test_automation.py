"""A failing run raises an incident on the asserted asset, later failures repeat it, the next
passing run resolves it; runs act in time order, and a person's resolve stands."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from dataflare.assertions import policy
from dataflare.db.database import Database
from dataflare.events.models import NotificationEvent
from tests.assertions.documents import ASSERTION, INCIDENTS, ORDERS, dataset_info, run
from tests.conftest import GraphQL
from tests.graphql.documents import UPDATE_STATUS
from tests.ingest.mcps import AUTH, BATCH, dataset, ingest, mcp, ownership

JDOE, TEAM = "urn:li:corpuser:jdoe", "urn:li:corpGroup:data"
T0 = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC
NAME = "column_value_is_less_than(col1)"


@pytest.fixture
def with_policy() -> Iterator[Any]:
    def install(text: str) -> None:
        policy.install(policy.parse(text, "assertions.toml"))

    yield install
    policy.install(policy.Policy())


def _incidents(gql: GraphQL, state: str | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = gql.data(INCIDENTS, {"urn": ORDERS, "state": state})["dataset"][
        "incidents"
    ]["incidents"]
    return found


def test_a_failing_run_raises_an_incident_for_the_asset_owners(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(
        client,
        ownership(ORDERS, JDOE, TEAM),
        dataset_info(),
        run(T0, "FAILURE", run_id="r1", actualAggValue=101, externalUrl="http://dbt/r1"),
    )

    [incident] = _incidents(gql)

    assert incident["incidentType"] == "FIELD"  # a column check
    assert incident["title"] == f"{NAME} failed on orders"
    assert incident["description"] == (
        f"Assertion {ASSERTION} failed in run r1 at 2023-11-14 22:13:20 UTC.\n"
        "Columns: col1\nObserved value: 101\nResults: http://dbt/r1"
    )
    assert incident["startedAt"] == T0
    assert incident["source"] == {"type": "ASSERTION_FAILURE", "source": {"urn": ASSERTION}}
    assert incident["assignees"] == [{"urn": JDOE}, {"urn": TEAM}]
    assert incident["status"]["state"] == "ACTIVE"
    assert incident["activity"][0]["message"] == (
        f"{NAME} failed in run r1 at 2023-11-14 22:13:20 UTC."
    )


def test_repeated_failures_are_repeats_and_a_pass_resolves_naming_the_run(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, dataset_info(), run(T0, "FAILURE", run_id="r1"))
    ingest(client, run(T0 + 1000, "FAILURE", run_id="r2"), run(T0 + 2000, "FAILURE", run_id="r3"))

    [incident] = _incidents(gql)
    assert [a["kind"] for a in incident["activity"]] == ["RAISED", "RAISED_AGAIN", "RAISED_AGAIN"]

    ingest(client, run(T0 + 3000, "SUCCESS", run_id="r4"))

    [resolved] = _incidents(gql)
    assert resolved["status"] == {
        "state": "RESOLVED",
        "message": f"Resolved: {NAME} passed in run r4 at 2023-11-14 22:13:23 UTC.",
    }


def test_a_late_older_failure_changes_nothing(client: TestClient, gql: GraphQL) -> None:
    ingest(client, dataset_info(), run(T0, "FAILURE"), run(T0 + 2000, "SUCCESS"))
    ingest(client, run(T0 + 1000, "FAILURE", run_id="late"))

    [incident] = _incidents(gql)

    assert incident["status"]["state"] == "RESOLVED"


def test_runs_in_one_batch_act_in_time_order_whatever_order_they_come_in(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, dataset_info(), run(T0 + 2000, "SUCCESS"), run(T0, "FAILURE"))

    assert _incidents(gql) == []


def test_a_run_that_could_not_evaluate_raises_nothing(client: TestClient, gql: GraphQL) -> None:
    ingest(client, dataset_info(), run(T0, "ERROR"))

    assert _incidents(gql) == []


def test_a_person_resolving_wins_over_the_same_run_sent_again(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, dataset_info(), run(T0, "FAILURE"))
    [incident] = _incidents(gql)
    gql.data(UPDATE_STATUS, {"urn": incident["urn"], "input": {"state": "RESOLVED"}})

    ingest(client, run(T0, "FAILURE"))

    assert [i["status"]["state"] for i in _incidents(gql)] == ["RESOLVED"]


def test_a_new_failure_after_a_person_resolved_raises_a_new_incident(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, dataset_info(), run(T0, "FAILURE"))
    [incident] = _incidents(gql)
    gql.data(UPDATE_STATUS, {"urn": incident["urn"], "input": {"state": "RESOLVED"}})

    ingest(client, run(T0 + 1000, "FAILURE"))

    assert [i["status"]["state"] for i in _incidents(gql)] == ["ACTIVE", "RESOLVED"]


def test_the_incident_type_follows_the_assertion_type(client: TestClient, gql: GraphQL) -> None:
    fresh = "urn:li:assertion:fresh"
    custom = "urn:li:assertion:custom"
    ingest(
        client,
        mcp(
            fresh, "assertionInfo", {"type": "FRESHNESS", "freshnessAssertion": {"entity": ORDERS}}
        ),
        mcp(custom, "assertionInfo", {"type": "CUSTOM", "customAssertion": {"entity": ORDERS}}),
        run(T0, "FAILURE", urn=fresh),
        run(T0, "FAILURE", urn=custom),
    )

    assert sorted(i["incidentType"] for i in _incidents(gql)) == ["FRESHNESS", "OPERATIONAL"]


def test_a_custom_assertion_with_a_scope_raises_an_incident_of_that_scope(
    client: TestClient, gql: GraphQL
) -> None:
    """As DataHub's dbt source and Great Expectations action send a column check."""
    column = "urn:li:assertion:column"
    rows = "urn:li:assertion:rows"
    custom = {"type": "dbt", "entity": ORDERS, "aggregation": "IDENTITY"}
    ingest(
        client,
        mcp(
            column,
            "assertionInfo",
            {
                "type": "CUSTOM",
                "customAssertion": {
                    **custom,
                    "scope": "DATASET_COLUMN",
                    "field": f"urn:li:schemaField:({ORDERS},customer_id)",
                    "operator": "NOT_NULL",
                    "nativeType": "not_null_orders_customer_id",
                },
            },
        ),
        mcp(
            rows,
            "assertionInfo",
            {"type": "CUSTOM", "customAssertion": {**custom, "scope": "DATASET_ROWS"}},
        ),
        run(T0, "FAILURE", urn=column),
        run(T0, "FAILURE", urn=rows),
    )

    assert sorted(i["incidentType"] for i in _incidents(gql)) == ["FIELD", "VOLUME"]


def test_the_notification_names_the_check_that_failed(client: TestClient, db: Database) -> None:
    ingest(client, dataset_info(), run(T0, "FAILURE", run_id="r1"))

    with db.session() as session:
        [event] = session.scalars(select(NotificationEvent)).all()

    assert event.kind == "RAISED"
    assert f"{NAME} failed on orders" in event.payload
    assert f"{NAME} failed in run r1" in event.payload


def test_the_policy_waits_for_failures_in_a_row(
    client: TestClient, gql: GraphQL, with_policy: Any
) -> None:
    with_policy("[defaults]\nfailures_before_raising = 2\npriority = 'HIGH'\n")
    ingest(client, dataset_info(), run(T0, "FAILURE"))
    assert _incidents(gql) == []

    ingest(client, run(T0 + 1000, "SUCCESS"), run(T0 + 2000, "FAILURE"))
    assert _incidents(gql) == []  # the pass broke the row

    ingest(client, run(T0 + 3000, "FAILURE"))
    [incident] = _incidents(gql)
    assert incident["priority"] == "HIGH"


def test_a_rule_turns_one_tool_off_and_leaves_the_others(
    client: TestClient, gql: GraphQL, with_policy: Any
) -> None:
    with_policy("[[rule]]\nplatform = 'dbt'\nenabled = false\n")
    other = "urn:li:assertion:gx"
    ingest(
        client,
        dataset_info(),
        mcp(ASSERTION, "dataPlatformInstance", {"platform": "urn:li:dataPlatform:dbt"}),
        dataset_info(other),
        run(T0, "FAILURE"),
        run(T0, "FAILURE", urn=other),
    )

    [incident] = _incidents(gql)
    assert incident["source"]["source"] == {"urn": other}


def test_rules_by_tag_and_dataset_set_priority_resolving_and_errors(
    client: TestClient, gql: GraphQL, with_policy: Any
) -> None:
    with_policy(
        "[[rule]]\ntag = 'urn:li:tag:critical'\npriority = 'CRITICAL'\nauto_resolve = false\n"
        f"[[rule]]\ndataset = '{ORDERS}'\nraise_on_error = true\nassign_owners = false\n"
    )
    ingest(
        client,
        ownership(ORDERS, JDOE),
        dataset_info(),
        mcp(ASSERTION, "globalTags", {"tags": [{"tag": "urn:li:tag:critical"}]}),
        run(T0, "ERROR"),
        run(T0 + 1000, "SUCCESS"),
    )

    [incident] = _incidents(gql)
    assert incident["priority"] == "CRITICAL"
    assert incident["assignees"] == []
    assert incident["status"]["state"] == "ACTIVE"  # not resolved by the pass


def test_a_rule_by_tag_matches_a_tag_of_the_asserted_dataset(
    client: TestClient, gql: GraphQL, with_policy: Any
) -> None:
    with_policy("[[rule]]\ntag = 'urn:li:tag:experimental'\nenabled = false\n")
    other = dataset("snowflake", "customers")
    ingest(
        client,
        mcp(ORDERS, "globalTags", {"tags": [{"tag": "urn:li:tag:experimental"}]}),
        dataset_info(),
        dataset_info(urn=f"{ASSERTION}2", on=other),
        run(T0, "FAILURE"),
        run(T0, "FAILURE", urn=f"{ASSERTION}2", on=other),
    )

    assert _incidents(gql) == []  # the orders table is tagged experimental
    found = gql.data(INCIDENTS, {"urn": other, "state": None})["dataset"]["incidents"]
    assert found["total"] == 1


def test_an_asset_tag_that_is_not_a_tag_is_refused_and_nothing_kept(client: TestClient) -> None:
    bad = mcp(ORDERS, "globalTags", {"tags": [{"tag": "urn:li:corpuser:jdoe"}]})
    response = client.post(BATCH, json={"proposals": [bad]}, headers=AUTH)

    assert response.status_code == 400
    assert "aspect.tags[0].tag: a tag URN is required" in response.text
    kept = client.get(
        f"/aspects/{quote(ORDERS, safe='')}?aspect=globalTags&version=0", headers=AUTH
    )
    assert kept.status_code == 404


def test_the_resolve_notification_names_the_run_that_passed(
    client: TestClient, db: Database
) -> None:
    ingest(client, dataset_info(), run(T0, "FAILURE", run_id="r1"))
    ingest(client, run(T0 + 1000, "SUCCESS", run_id="r2"))

    with db.session() as session:
        events = session.scalars(select(NotificationEvent).order_by(NotificationEvent.id)).all()

    assert [e.kind for e in events] == ["RAISED", "CHANGED"]  # the resolve is a change of state
    assert f"Resolved: {NAME} passed in run r2" in events[1].payload
