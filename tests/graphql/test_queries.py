"""The incidents field on every asset kind, its filters and paging, health, and entity(urn:)."""

import pytest

from tests.conftest import GraphQL
from tests.graphql.documents import (
    CHART,
    DASHBOARD,
    FLOW,
    HEALTH,
    JOB,
    KAFKA,
    RAISE,
    UPDATE_STATUS,
    incidents_query,
)

ASSETS = [
    ("dataset", KAFKA, "DATASET"),
    ("chart", CHART, "CHART"),
    ("dashboard", DASHBOARD, "DASHBOARD"),
    ("dataFlow", FLOW, "DATA_FLOW"),
    ("dataJob", JOB, "DATA_JOB"),
]


def _raise(gql: GraphQL, resource: str, **fields: object) -> str:
    given = {"type": "OPERATIONAL", "resourceUrn": resource, **fields}
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


@pytest.mark.parametrize(("field", "urn", "entity_type"), ASSETS)
def test_each_asset_kind_lists_its_incidents_newest_first(
    gql: GraphQL, field: str, urn: str, entity_type: str
) -> None:
    first = _raise(gql, urn, title="first")
    second = _raise(gql, urn, title="second")

    asset = gql.data(incidents_query(field), {"urn": urn})[field]

    assert (asset["urn"], asset["type"]) == (urn, entity_type)
    assert asset["incidents"]["total"] == 2
    assert [i["urn"] for i in asset["incidents"]["incidents"]] == [second, first]


def test_count_is_the_page_size_asked_for(gql: GraphQL) -> None:
    _raise(gql, KAFKA)

    page = gql.data(incidents_query("dataset"), {"urn": KAFKA, "start": 0, "count": 10})

    assert page["dataset"]["incidents"]["count"] == 10
    assert page["dataset"]["incidents"]["total"] == 1
    assert len(page["dataset"]["incidents"]["incidents"]) == 1


def test_paging_walks_through_all_incidents(gql: GraphQL) -> None:
    raised = [_raise(gql, KAFKA, title=f"n{i}") for i in range(5)]

    pages = [
        gql.data(incidents_query("dataset"), {"urn": KAFKA, "start": start, "count": 2})["dataset"][
            "incidents"
        ]
        for start in (0, 2, 4, 6)
    ]

    assert [p["start"] for p in pages] == [0, 2, 4, 6]
    assert all(p["total"] == 5 for p in pages)
    seen = [i["urn"] for p in pages for i in p["incidents"]]
    assert seen == list(reversed(raised))


def test_defaults_are_start_0_and_count_20(gql: GraphQL) -> None:
    for _ in range(21):
        _raise(gql, KAFKA)

    page = gql.data(
        f'{{ dataset(urn: "{KAFKA}") {{ incidents {{ start count total incidents {{ urn }} }} }} }}'
    )["dataset"]["incidents"]

    assert (page["start"], page["count"], page["total"]) == (0, 20, 21)
    assert len(page["incidents"]) == 20


def test_filters_by_state_stage_priority_and_assignee(gql: GraphQL) -> None:
    critical = _raise(gql, KAFKA, priority="CRITICAL", assigneeUrns=["urn:li:corpuser:ann"])
    triage = _raise(gql, KAFKA, priority="LOW", status={"state": "ACTIVE", "stage": "TRIAGE"})
    resolved = _raise(gql, KAFKA, priority="LOW", assigneeUrns=["urn:li:corpGroup:eng"])
    gql.data(UPDATE_STATUS, {"urn": resolved, "input": {"state": "RESOLVED"}})

    def urns(**filters: object) -> list[str]:
        page = gql.data(incidents_query("dataset"), {"urn": KAFKA, **filters})
        return [i["urn"] for i in page["dataset"]["incidents"]["incidents"]]

    assert urns(state="ACTIVE") == [triage, critical]
    assert urns(state="RESOLVED") == [resolved]
    assert urns(stage="TRIAGE") == [triage]
    assert urns(priority="CRITICAL") == [critical]
    assert urns(priority="LOW", state="ACTIVE") == [triage]
    assert urns(assigneeUrns=["urn:li:corpuser:ann", "urn:li:corpGroup:eng"]) == [
        resolved,
        critical,
    ]


def test_an_asset_never_seen_reads_as_healthy_with_no_incidents(gql: GraphQL) -> None:
    asset = gql.data(
        '{ dataset(urn: "urn:li:dataset:(abc)") { urn name '
        "incidents(state: ACTIVE, start: 0, count: 10) { total incidents { urn } } "
        "health { status } } }"
    )["dataset"]

    assert asset["urn"] == "urn:li:dataset:(abc)"
    assert asset["incidents"] == {"total": 0, "incidents": []}
    assert asset["health"] == [{"status": "PASS"}]


@pytest.mark.parametrize(("field", "urn", "entity_type"), ASSETS)
def test_health_fails_while_an_incident_is_active(
    gql: GraphQL, field: str, urn: str, entity_type: str
) -> None:
    older = _raise(gql, urn, title="older")
    newer = _raise(gql, urn, title="newer")

    [health] = gql.data(HEALTH, {"urn": urn})["entity"]["health"]

    assert health["type"] == "INCIDENTS"
    assert health["status"] == "FAIL"
    assert health["message"] == "2 active incidents"
    assert health["causes"] == ["ACTIVE_INCIDENTS"]
    details = health["activeIncidentHealthDetails"]
    assert details["count"] == 2
    assert details["latestIncidentUrn"] == newer
    assert details["latestIncidentTitle"] == "newer"
    assert details["lastActivityAt"] == health["reportedAt"]
    assert older != newer


def test_one_active_incident_says_so_in_the_singular(gql: GraphQL) -> None:
    older = _raise(gql, KAFKA, title="older")
    newer = _raise(gql, KAFKA, title="newer")
    gql.data(UPDATE_STATUS, {"urn": newer, "input": {"state": "RESOLVED"}})

    [health] = gql.data(HEALTH, {"urn": KAFKA})["entity"]["health"]

    assert health["status"] == "FAIL"
    assert health["message"] == "1 active incident"
    assert health["activeIncidentHealthDetails"]["count"] == 1
    assert health["activeIncidentHealthDetails"]["latestIncidentUrn"] == older


def test_only_resolved_incidents_pass(gql: GraphQL) -> None:
    urn = _raise(gql, KAFKA)
    gql.data(UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED"}})

    [health] = gql.data(HEALTH, {"urn": KAFKA})["entity"]["health"]

    assert health["status"] == "PASS"
    assert health["message"] is None
    assert health["causes"] == []
    assert health["activeIncidentHealthDetails"] is None


def test_an_incident_on_two_assets_makes_both_unhealthy(gql: GraphQL) -> None:
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrns": [KAFKA, CHART]}})

    for urn in (KAFKA, CHART):
        assert gql.data(HEALTH, {"urn": urn})["entity"]["health"][0]["status"] == "FAIL"


def test_entity_answers_unknown_incidents_with_null_and_users_by_urn(gql: GraphQL) -> None:
    unknown = gql.data('{ entity(urn: "urn:li:incident:nope") { urn } }')
    user = gql.data(
        '{ entity(urn: "urn:li:corpuser:jdoe") { urn type ... on CorpUser { username } } }'
    )

    assert unknown == {"entity": None}
    assert user["entity"] == {
        "urn": "urn:li:corpuser:jdoe",
        "type": "CORP_USER",
        "username": "jdoe",
    }


def test_entity_refuses_kinds_it_does_not_know(gql: GraphQL) -> None:
    error = gql.error('{ entity(urn: "urn:li:tag:pii") { urn } }')

    assert error["message"].startswith("Unsupported URN 'urn:li:tag:pii'")
    assert error["extensions"]["code"] == 400
