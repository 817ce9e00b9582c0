"""An assertion in words: what the pages say a check checks, and each run's result."""

from __future__ import annotations

from dataflare.assertions.words import condition, facts, name_of, run_words


def test_a_volume_check_says_its_condition_with_both_bounds() -> None:
    info = {
        "type": "VOLUME",
        "volumeAssertion": {
            "type": "ROW_COUNT_TOTAL",
            "entity": "urn:li:dataset:(urn:li:dataPlatform:snowflake,orders,PROD)",
            "rowCountTotal": {
                "operator": "BETWEEN",
                "parameters": {"minValue": {"value": "10"}, "maxValue": {"value": "500"}},
            },
        },
    }

    said = dict(facts("VOLUME", info))

    assert said == {"Type": "Volume", "Condition": "must be between 10 and 500"}


def test_a_field_check_names_its_column_metric_and_operator() -> None:
    info = {
        "type": "FIELD",
        "description": "Few nulls in email",
        "fieldAssertion": {
            "type": "FIELD_METRIC",
            "fieldMetricAssertion": {
                "field": {"path": "email"},
                "metric": "NULL_PERCENTAGE",
                "operator": "LESS_THAN_OR_EQUAL_TO",
                "parameters": {"value": {"value": "5", "type": "NUMBER"}},
            },
        },
    }

    said = facts("FIELD", info)

    assert said == [
        ("Type", "Field"),
        ("Description", "Few nulls in email"),
        ("Columns", "email"),
        ("Condition", "must be less than or equal to 5"),
    ]
    assert name_of("urn:li:assertion:x", "FIELD", info) == "Few nulls in email"


def test_an_operator_without_a_value_is_said_alone_and_unknown_shapes_say_nothing() -> None:
    assert condition("NOT_NULL", None) == "not null"
    assert condition(None, {"value": {"value": "1"}}) is None
    assert facts("SQL", {"type": "SQL", "sqlAssertion": "not an object"}) == [("Type", "SQL")]
    assert name_of("urn:li:assertion:x", None, None) == "Unknown assertion urn:li:assertion:x"


def test_a_run_says_its_result_in_words_and_keeps_only_web_links() -> None:
    failed = run_words(
        1, "r1", "FAILURE", {"result": {"actualAggValue": 101, "externalUrl": "javascript:x"}}
    )
    errored = run_words(2, "r2", "ERROR", {"result": {"error": {"type": "SOURCE_QUERY_FAILED"}}})
    passed = run_words(3, "r3", "SUCCESS", {"result": {"externalUrl": "https://ci/r3"}})

    assert (failed.word, failed.observed, failed.link) == ("Failed", "Observed value: 101", None)
    assert (errored.word, errored.observed) == ("Error", "Error: source query failed")
    assert (passed.word, passed.observed, passed.link) == ("Passed", None, "https://ci/r3")
