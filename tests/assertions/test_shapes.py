"""Each assertion type's sub-record, as DataHub's API shows it."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.assertions.documents import ASSERTION, ASSERTION_DETAIL, ORDERS, dataset_info
from tests.conftest import GraphQL
from tests.ingest.mcps import ingest, mcp

EQUALS_100 = {"value": {"value": "100", "type": "NUMBER"}}
CASES: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
    (
        {
            "type": "FRESHNESS",
            "freshnessAssertion": {
                "type": "DATASET_CHANGE",
                "entity": ORDERS,
                "schedule": {"type": "CRON", "cron": {"cron": "0 8 * * *", "timezone": "UTC"}},
            },
        },
        "freshnessAssertion",
        {
            "type": "DATASET_CHANGE",
            "entityUrn": ORDERS,
            "schedule": {"type": "CRON", "cron": {"cron": "0 8 * * *", "timezone": "UTC"}},
        },
    ),
    (
        {
            "type": "VOLUME",
            "volumeAssertion": {
                "type": "ROW_COUNT_TOTAL",
                "entity": ORDERS,
                "rowCountTotal": {"operator": "GREATER_THAN", "parameters": EQUALS_100},
            },
        },
        "volumeAssertion",
        {
            "type": "ROW_COUNT_TOTAL",
            "entityUrn": ORDERS,
            "rowCountTotal": {
                "operator": "GREATER_THAN",
                "parameters": {"value": {"value": "100"}},
            },
        },
    ),
    (
        {
            "type": "SQL",
            "sqlAssertion": {
                "type": "METRIC",
                "entity": ORDERS,
                "statement": "SELECT count(*) FROM orders",
                "operator": "GREATER_THAN",
                "parameters": EQUALS_100,
            },
        },
        "sqlAssertion",
        {
            "type": "METRIC",
            "entityUrn": ORDERS,
            "statement": "SELECT count(*) FROM orders",
            "operator": "GREATER_THAN",
            "parameters": {"value": {"value": "100"}},
        },
    ),
    (
        {
            "type": "FIELD",
            "fieldAssertion": {
                "type": "FIELD_VALUES",
                "entity": ORDERS,
                "fieldValuesAssertion": {
                    "field": {"path": "amount", "type": "NUMBER", "nativeType": "DECIMAL"},
                    "operator": "NOT_NULL",
                    "excludeNulls": False,
                },
            },
        },
        "fieldAssertion",
        {
            "type": "FIELD_VALUES",
            "entityUrn": ORDERS,
            "fieldValuesAssertion": {
                "field": {"path": "amount", "type": "NUMBER", "nativeType": "DECIMAL"},
                "operator": "NOT_NULL",
                "excludeNulls": False,
            },
            "fieldMetricAssertion": None,
        },
    ),
    (
        {
            "type": "DATA_SCHEMA",
            "schemaAssertion": {
                "entity": ORDERS,
                "schema": {
                    "fields": [
                        {
                            "fieldPath": "id",
                            "nativeDataType": "INT",
                            "type": {"type": {"com.linkedin.schema.NumberType": {}}},
                        }
                    ]
                },
                "compatibility": "SUPERSET",
            },
        },
        "schemaAssertion",
        {
            "entityUrn": ORDERS,
            "fields": [{"path": "id", "type": "NUMBER", "nativeType": "INT"}],
            "compatibility": "SUPERSET",
        },
    ),
    (
        {
            "type": "CUSTOM",
            "customAssertion": {
                "type": "Monte Carlo field health",
                "entity": ORDERS,
                "field": f"urn:li:schemaField:({ORDERS},amount)",
                "logic": "amount >= 0",
            },
        },
        "customAssertion",
        {
            "type": "Monte Carlo field health",
            "entityUrn": ORDERS,
            "field": {"urn": f"urn:li:schemaField:({ORDERS},amount)", "path": "amount"},
            "logic": "amount >= 0",
        },
    ),
]


@pytest.mark.parametrize(("aspect", "part", "shown"), CASES, ids=[c[1] for c in CASES])
def test_each_assertion_type_shows_its_sub_record(
    client: TestClient, gql: GraphQL, aspect: dict[str, Any], part: str, shown: dict[str, Any]
) -> None:
    ingest(client, mcp(ASSERTION, "assertionInfo", {**aspect, "description": "checked"}))

    info = gql.data(ASSERTION_DETAIL, {"urn": ASSERTION})["assertion"]["info"]

    assert info["type"] == aspect["type"]
    assert info["description"] == "checked"
    assert info[part] == shown
    others = {k: v for k, v in info.items() if k.endswith("Assertion") and k != part}
    assert set(others.values()) == {None}


def test_a_dataset_assertion_shows_its_columns_and_native_check(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, dataset_info(source={"type": "EXTERNAL"}, externalUrl="http://dbt/test"))

    info = gql.data(ASSERTION_DETAIL, {"urn": ASSERTION})["assertion"]["info"]

    assert info["source"] == {"type": "EXTERNAL"}
    assert info["externalUrl"] == "http://dbt/test"
    assert info["customProperties"] == [
        {"key": "suite_name", "value": "demo_suite", "associatedUrn": ASSERTION}
    ]
    assert info["datasetAssertion"] == {
        "datasetUrn": ORDERS,
        "scope": "DATASET_COLUMN",
        "fields": [{"urn": f"urn:li:schemaField:({ORDERS},col1)", "path": "col1"}],
        "aggregation": "IDENTITY",
        "operator": "LESS_THAN",
        "nativeType": "column_value_is_less_than",
        "logic": None,
        "parameters": None,
        "nativeParameters": [{"key": "max_value", "value": "99"}],
    }
