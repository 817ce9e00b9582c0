"""Assertions and their runs ingested as DataHub's emitters send them, and read back through
GraphQL as DataHub's API shows them."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.assertions.documents import (
    ASSERTION,
    ASSERTION_DETAIL,
    DATASET_ASSERTIONS,
    ORDERS,
    dataset_info,
    run,
)
from tests.conftest import GraphQL
from tests.ingest.mcps import AUTH, BATCH, ingest, mcp

# The run times of DataHub's own assertion test (two days, three partitions each).
TIMES = [1643794280350, 1643794280352, 1643794280354, 1643880726872, 1643880726874, 1643880726875]


def _assertions(gql: GraphQL, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = gql.data(DATASET_ASSERTIONS, {"urn": ORDERS, **variables})["dataset"][
        "assertions"
    ]
    return found


def test_a_dataset_lists_its_assertion_with_the_newest_runs_as_datahub_does(
    client: TestClient, gql: GraphQL
) -> None:
    results = ["SUCCESS", "FAILURE", "SUCCESS", "SUCCESS", "FAILURE", "SUCCESS"]
    partitions = ["IN", "US", None, "IN", "US", None]
    ingest(
        client,
        dataset_info(),
        *(run(t, r, partition=p) for t, r, p in zip(TIMES, results, partitions, strict=True)),
    )

    listed = _assertions(gql, count=25)

    assert listed["total"] == 1
    assert listed["assertions"] == [
        {
            "urn": ASSERTION,
            "type": "ASSERTION",
            "info": {
                "type": "DATASET",
                "datasetAssertion": {
                    "datasetUrn": ORDERS,
                    "scope": "DATASET_COLUMN",
                    "aggregation": "IDENTITY",
                    "operator": "LESS_THAN",
                },
            },
            "runEvents": {
                "total": 3,
                "failed": 1,
                "succeeded": 2,
                "runEvents": [
                    {"timestampMillis": t, "status": "COMPLETE", "result": {"type": r}}
                    for t, r in [
                        (TIMES[5], "SUCCESS"),
                        (TIMES[4], "FAILURE"),
                        (TIMES[3], "SUCCESS"),
                    ]
                ],
            },
        }
    ]


def test_the_same_run_sent_twice_is_kept_once(client: TestClient, gql: GraphQL) -> None:
    ingest(client, dataset_info(), run(TIMES[0], "FAILURE"))
    ingest(client, run(TIMES[0], "FAILURE"), run(TIMES[1], "SUCCESS"))

    runs = gql.data(ASSERTION_DETAIL, {"urn": ASSERTION})["assertion"]["runEvents"]

    assert [r["timestampMillis"] for r in runs["runEvents"]] == [TIMES[1], TIMES[0]]
    assert (runs["total"], runs["failed"], runs["succeeded"]) == (2, 1, 1)


def test_a_run_keeps_what_a_reader_needs(client: TestClient, gql: GraphQL) -> None:
    ingest(
        client,
        dataset_info(),
        run(
            TIMES[0],
            "FAILURE",
            partition="2024-01-01",
            rowCount=120,
            unexpectedCount=3,
            actualAggValue=101.5,
            externalUrl="http://example.com/run",
            nativeResults={"observed": "3 nulls"},
        ),
        run(TIMES[1], "ERROR", error={"type": "SOURCE_QUERY_FAILED"}),
    )

    runs = gql.data(ASSERTION_DETAIL, {"urn": ASSERTION})["assertion"]["runEvents"]

    assert runs["errored"] == 1
    errored, failed = runs["runEvents"]
    assert errored["result"]["error"] == {"type": "SOURCE_QUERY_FAILED"}
    assert errored["partitionSpec"] == {"type": "FULL_TABLE", "partition": "FULL_TABLE_SNAPSHOT"}
    assert failed["partitionSpec"] == {"type": "PARTITION", "partition": "2024-01-01"}
    assert failed["asserteeUrn"] == ORDERS
    assert failed["result"] == {
        "type": "FAILURE",
        "rowCount": 120,
        "unexpectedCount": 3,
        "actualAggValue": 101.5,
        "externalUrl": "http://example.com/run",
        "nativeResults": [{"key": "observed", "value": "3 nulls"}],
        "error": None,
    }


def test_a_removed_assertion_is_listed_only_when_asked_for(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, dataset_info(), mcp(ASSERTION, "status", {"removed": True}))

    assert _assertions(gql)["total"] == 0
    kept = _assertions(gql, soft=True)
    assert kept["total"] == 1
    detail = gql.data(ASSERTION_DETAIL, {"urn": ASSERTION})["assertion"]
    assert detail["status"] == {"removed": True}


def test_the_smoke_tests_bare_assertion_is_accepted(client: TestClient, gql: GraphQL) -> None:
    ingest(client, mcp("urn:li:assertion:assertion-test", "assertionInfo", {"type": "DATASET"}))

    found = gql.data(ASSERTION_DETAIL, {"urn": "urn:li:assertion:assertion-test"})["assertion"]

    assert found["info"]["type"] == "DATASET"
    assert found["info"]["datasetAssertion"] is None
    assert found["platform"] == {"name": "unknown"}


def test_an_assertion_never_ingested_reads_without_info(gql: GraphQL) -> None:
    found = gql.data(ASSERTION_DETAIL, {"urn": "urn:li:assertion:nothing"})["assertion"]

    assert found["info"] is None
    assert found["runEvents"]["total"] == 0


def test_the_tool_that_runs_a_check_is_its_platform(client: TestClient, gql: GraphQL) -> None:
    ingest(
        client,
        dataset_info(),
        mcp(ASSERTION, "dataPlatformInstance", {"platform": "urn:li:dataPlatform:dbt"}),
    )

    assert gql.data(ASSERTION_DETAIL, {"urn": ASSERTION})["assertion"]["platform"] == {
        "name": "dbt"
    }


def test_runs_older_than_the_setting_are_pruned(
    client: TestClient, gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = 86_400_000
    monkeypatch.setenv("DATAFLARE_ASSERTION_RUN_DAYS", "7")
    start = 1_700_000_000_000
    ingest(client, dataset_info(), *(run(start + i * day) for i in range(10)))

    runs = gql.data(ASSERTION_DETAIL, {"urn": ASSERTION})["assertion"]["runEvents"]["runEvents"]

    # Seven days back from the newest run, that one included: eight runs.
    assert [r["timestampMillis"] for r in runs] == [start + i * day for i in range(9, 1, -1)]


@pytest.mark.parametrize(
    ("aspect", "message"),
    [
        ({"type": "SOMETHING"}, "aspect.type: one of DATASET, FRESHNESS"),
        ({"type": "SQL", "sqlAssertion": "x"}, "aspect.sqlAssertion: an object is required"),
        (
            {"type": "FRESHNESS", "freshnessAssertion": {"entity": 7}},
            "aspect.freshnessAssertion.entity: a URN string is required",
        ),
        ({"type": "DATASET", "description": "a\u0000b"}, "NUL characters"),
    ],
)
def test_a_malformed_assertion_info_is_refused_in_words(
    client: TestClient, aspect: dict[str, Any], message: str
) -> None:
    response = client.post(
        BATCH, json={"proposals": [mcp(ASSERTION, "assertionInfo", aspect)]}, headers=AUTH
    )

    assert response.status_code == 400
    assert message in response.json()["message"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timestampMillis": None}, "aspect.timestampMillis: a time in epoch milliseconds"),
        ({"timestampMillis": -5}, "must be a time in epoch milliseconds"),
        ({"result": {"type": "MAYBE"}}, "aspect.result.type: one of INIT, SUCCESS"),
        ({"status": "RUNNING"}, "aspect.status: COMPLETE is required"),
        ({"assertionUrn": "urn:li:assertion:other"}, "is not the entity's URN"),
        ({"result": {"type": "FAILURE", "rowCount": 2**64}}, "aspect.result.rowCount"),
        ({"runId": "x" * 301}, "aspect.runId is 301 characters long"),
    ],
)
def test_a_malformed_run_is_refused_in_words(
    client: TestClient, change: dict[str, Any], message: str
) -> None:
    value = {
        "timestampMillis": TIMES[0],
        "assertionUrn": ASSERTION,
        "asserteeUrn": ORDERS,
        "runId": "r",
        "status": "COMPLETE",
        "result": {"type": "SUCCESS"},
        **change,
    }
    response = client.post(
        BATCH, json={"proposals": [mcp(ASSERTION, "assertionRunEvent", value)]}, headers=AUTH
    )

    assert response.status_code == 400
    assert message in response.json()["message"]


def test_a_negative_run_limit_is_refused_and_a_large_one_clamped(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, dataset_info(), run(TIMES[0]))
    query = 'query q($n: Int) { assertion(urn: "%s") { runEvents(limit: $n) { total } } }'

    error = gql.error(query % ASSERTION, {"n": -1})
    clamped = gql.data(query % ASSERTION, {"n": 50_000})

    assert error["message"] == "limit must not be negative (got -1)."
    assert error["extensions"]["code"] == 400
    assert clamped["assertion"]["runEvents"]["total"] == 1
