"""Each invalid request gets COMPAT.md's message and code, and writes nothing."""

from typing import Any

import pytest
from sqlalchemy import func, select

from dataflare.db.database import Database
from dataflare.db.registry import Base
from tests.conftest import GraphQL
from tests.graphql.documents import DATASET_INCIDENTS, KAFKA, RAISE, UPDATE, UPDATE_STATUS

COUNT_KAFKA_INCIDENTS = DATASET_INCIDENTS


def _total(gql: GraphQL) -> int:
    return int(gql.data(COUNT_KAFKA_INCIDENTS, {"urn": KAFKA})["dataset"]["incidents"]["total"])


def _rows(db: Database) -> dict[str, int]:
    """How many rows each table holds."""
    with db.session() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


BAD_RAISES: list[tuple[dict[str, Any], int, str]] = [
    ({"type": "OPERATIONAL"}, 400, "At least 1 resource urn must be defined to raise an incident."),
    (
        {"type": "OPERATIONAL", "resourceUrns": []},
        400,
        "At least 1 resource urn must be defined to raise an incident.",
    ),
    (
        {"type": "CUSTOM", "resourceUrn": KAFKA},
        400,
        "Failed to raise incident: customType is required when type is CUSTOM",
    ),
    (
        {"type": "CUSTOM", "customType": "  ", "resourceUrn": KAFKA},
        400,
        "Failed to raise incident: customType is required when type is CUSTOM",
    ),
    (
        {"type": "OPERATIONAL", "resourceUrn": "urn:li:dataset:(abc)"},
        400,
        "Malformed URN 'urn:li:dataset:(abc)'",
    ),
    (
        {"type": "OPERATIONAL", "resourceUrn": "urn:li:glossaryTerm:pii"},
        400,
        "Unsupported resource URN 'urn:li:glossaryTerm:pii': incidents can be raised on dataset, "
        "chart, dashboard, dataFlow, dataJob, mlModel, mlModelGroup, mlFeature, mlFeatureTable",
    ),
    (
        {"type": "OPERATIONAL", "resourceUrn": KAFKA, "title": ""},
        400,
        "Incident title must not be empty when given.",
    ),
    (
        {"type": "OPERATIONAL", "resourceUrn": KAFKA, "title": "x" * 501},
        400,
        "Incident title is 501 characters long; the limit is 500.",
    ),
    (
        {"type": "OPERATIONAL", "resourceUrn": KAFKA, "description": "é" * 32769},
        400,
        "Incident description is 65538 bytes long; the limit is 65536 bytes (64 KiB).",
    ),
    (
        {"type": "OPERATIONAL", "resourceUrn": KAFKA, "id": " "},
        400,
        "Incident id must not be blank.",
    ),
    (
        {"type": "OPERATIONAL", "resourceUrn": KAFKA, "assigneeUrns": ["jdoe"]},
        400,
        "Invalid assignee URN 'jdoe'",
    ),
    (
        {"type": "OPERATIONAL", "resourceUrn": KAFKA, "startedAt": -5},
        400,
        "startedAt must be a time in epoch milliseconds, not -5.",
    ),
]


@pytest.mark.parametrize(("given", "code", "message"), BAD_RAISES)
def test_a_bad_raise_is_refused_and_writes_nothing(
    gql: GraphQL, db: Database, given: dict[str, Any], code: int, message: str
) -> None:
    before = _rows(db)

    error = gql.error(RAISE, {"input": given})

    assert error["message"].startswith(message), error["message"]
    assert error["extensions"] == {"code": code, "type": "BAD_REQUEST"}
    assert error["path"] == ["raiseIncident"]
    assert _rows(db) == before


def test_a_bad_second_resource_registers_no_asset(gql: GraphQL, db: Database) -> None:
    error = gql.error(RAISE, {"input": {"type": "SQL", "resourceUrns": [KAFKA, "urn:li:chart:x"]}})

    assert "Malformed URN 'urn:li:chart:x'" in error["message"]
    assert _rows(db)["assets"] == 0
    assert _rows(db)["incidents"] == 0


def test_an_id_in_use_is_a_conflict(gql: GraphQL) -> None:
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA, "id": "check-1"}})

    error = gql.error(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA, "id": "check-1"}})

    assert error["message"] == "Incident with id check-1 already exists."
    assert error["extensions"] == {"code": 409, "type": "CONFLICT"}
    assert _total(gql) == 1


def test_updating_an_unknown_incident_is_not_found(gql: GraphQL) -> None:
    for document, variables in [
        (UPDATE_STATUS, {"state": "RESOLVED"}),
        (UPDATE, {"title": "new"}),
    ]:
        error = gql.error(document, {"urn": "urn:li:incident:nope", "input": variables})

        assert error["message"] == "Failed to update incident. Incident does not exist."
        assert error["extensions"] == {"code": 404, "type": "NOT_FOUND"}


def test_a_bad_update_changes_nothing(gql: GraphQL, db: Database) -> None:
    urn = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA, "title": "t"}})[
        "raiseIncident"
    ]

    before = _rows(db)

    error = gql.error(
        UPDATE, {"urn": urn, "input": {"title": "changed", "resourceUrns": ["urn:li:tag:x"]}}
    )

    assert "Unsupported resource URN 'urn:li:tag:x'" in error["message"]
    titles = gql.data(COUNT_KAFKA_INCIDENTS, {"urn": KAFKA})["dataset"]["incidents"]["incidents"]
    assert [i["title"] for i in titles] == ["t"]
    assert _rows(db) == before


def test_an_unknown_enum_value_is_a_bad_request(gql: GraphQL) -> None:
    error = gql.error(RAISE, {"input": {"type": "EXPLODED", "resourceUrn": KAFKA}})

    assert "EXPLODED" in error["message"]
    assert error["extensions"] == {"code": 400, "type": "BAD_REQUEST"}


def test_a_query_on_the_wrong_kind_names_the_expected_kind(gql: GraphQL) -> None:
    error = gql.error('{ chart(urn: "urn:li:dataset:(abc)") { urn } }')

    assert error["message"] == (
        "'urn:li:dataset:(abc)' is not a chart URN: chart(urn:) expects urn:li:chart:..."
    )


def test_syntax_and_validation_errors_are_bad_requests(gql: GraphQL) -> None:
    syntax = gql.error("{ dataset(urn: ")
    unknown_field = gql.error('{ dataset(urn: "x") { nope } }')

    assert syntax["extensions"]["code"] == 400
    assert "Cannot query field 'nope' on type 'Dataset'" in unknown_field["message"]
    assert unknown_field["extensions"] == {"code": 400, "type": "BAD_REQUEST"}


def test_a_negative_start_is_refused_and_a_huge_count_clamped(gql: GraphQL) -> None:
    negative = gql.error(DATASET_INCIDENTS, {"urn": KAFKA, "start": -1})
    huge = gql.data(DATASET_INCIDENTS, {"urn": KAFKA, "count": 100_000})

    assert negative["message"] == "start and count must not be negative (got start=-1, count=20)."
    assert huge["dataset"]["incidents"]["count"] == 1000  # the page size used


def test_a_failing_mutation_does_not_undo_the_one_before_it(gql: GraphQL) -> None:
    body = gql(
        f"""mutation {{
          ok: raiseIncident(input: {{type: SQL, resourceUrn: "{KAFKA}"}})
          bad: raiseIncident(input: {{type: CUSTOM, resourceUrn: "{KAFKA}"}})
        }}"""
    )

    assert [e["path"] for e in body["errors"]] == [["bad"]]
    assert _total(gql) == 1
