"""updateIncidentStatus and updateIncident, and the timeline they write."""

import json
from typing import Any

from tests.conftest import GraphQL
from tests.graphql.documents import (
    ACTIVITY,
    CHART,
    INCIDENT,
    KAFKA,
    RAISE,
    UPDATE,
    UPDATE_STATUS,
    UPDATE_STATUS_NEWER_CLIENT,
    incidents_query,
)


def _raise(gql: GraphQL, **fields: Any) -> str:
    given = {"type": "OPERATIONAL", "resourceUrn": KAFKA, **fields}
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


def test_resolving_answers_the_string_true_and_keeps_priority(gql: GraphQL) -> None:
    urn = _raise(gql, priority="CRITICAL")

    answer = gql.data(
        UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED", "message": "fixed upstream"}}
    )

    assert answer == {"updateIncidentStatus": "true"}
    resolved = gql.data(incidents_query("dataset"), {"urn": KAFKA, "state": "RESOLVED"})
    [incident] = resolved["dataset"]["incidents"]["incidents"]
    assert incident["urn"] == urn
    assert incident["priority"] == "CRITICAL"
    assert incident["status"]["state"] == "RESOLVED"
    details = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert details["incidentStatus"]["state"] == "RESOLVED"
    assert details["status"]["message"] == "fixed upstream"


def test_newer_clients_may_declare_incident_status_input(gql: GraphQL) -> None:
    urn = _raise(gql)

    answer = gql.data(
        UPDATE_STATUS_NEWER_CLIENT,
        {"urn": urn, "input": {"state": "ACTIVE", "stage": "WORK_IN_PROGRESS"}},
    )

    assert answer == {"updateIncidentStatus": "true"}
    assert gql.data(INCIDENT, {"urn": urn})["entity"]["status"]["stage"] == "WORK_IN_PROGRESS"


def test_a_stage_left_out_is_kept(gql: GraphQL) -> None:
    urn = _raise(gql, status={"state": "ACTIVE", "stage": "INVESTIGATION"})

    gql.data(UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED"}})

    status = gql.data(INCIDENT, {"urn": urn})["entity"]["status"]
    assert (status["state"], status["stage"]) == ("RESOLVED", "INVESTIGATION")


def test_update_incident_changes_only_the_fields_given(gql: GraphQL) -> None:
    urn = _raise(
        gql, title="t", description="d", priority="LOW", assigneeUrns=["urn:li:corpuser:jdoe"]
    )

    assert gql.data(UPDATE, {"urn": urn, "input": {"priority": "HIGH"}}) == {"updateIncident": True}

    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert incident["priority"] == "HIGH"
    assert (incident["title"], incident["description"]) == ("t", "d")
    assert incident["assignees"] == [{"urn": "urn:li:corpuser:jdoe", "username": "jdoe"}]


def test_update_incident_sets_every_field(gql: GraphQL) -> None:
    urn = _raise(gql, title="t")

    gql.data(
        UPDATE,
        {
            "urn": urn,
            "input": {
                "title": "new title",
                "description": "new description",
                "startedAt": 1600000000000,
                "status": {"state": "RESOLVED", "stage": "FIXED", "message": "done"},
                "priority": "MEDIUM",
                "resourceUrns": [CHART, KAFKA],
                "assigneeUrns": ["urn:li:corpGroup:eng"],
            },
        },
    )

    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert incident["title"] == "new title"
    assert incident["description"] == "new description"
    assert incident["startedAt"] == 1600000000000
    assert incident["status"]["state"] == "RESOLVED"
    assert incident["status"]["stage"] == "FIXED"
    assert incident["status"]["message"] == "done"
    assert incident["priority"] == "MEDIUM"
    assert incident["entities"] == [{"urn": CHART}, {"urn": KAFKA}]
    assert incident["entity"] == {"urn": CHART, "type": "CHART"}
    assert incident["assignees"] == [{"urn": "urn:li:corpGroup:eng", "name": "eng"}]
    on_chart = gql.data(incidents_query("chart"), {"urn": CHART})["chart"]["incidents"]
    assert [i["urn"] for i in on_chart["incidents"]] == [urn]


def test_null_clears_priority_and_an_empty_list_clears_assignees(gql: GraphQL) -> None:
    urn = _raise(gql, priority="LOW", assigneeUrns=["urn:li:corpuser:jdoe"])

    gql.data(UPDATE, {"urn": urn, "input": {"priority": None, "assigneeUrns": []}})

    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert incident["priority"] is None
    assert incident["assignees"] == []


def test_the_timeline_records_each_change_with_actor_oldest_first(gql: GraphQL) -> None:
    urn = _raise(gql, title="t", priority="LOW")
    gql.data(UPDATE, {"urn": urn, "input": {"priority": "CRITICAL", "title": "t2"}})
    gql.data(
        UPDATE_STATUS,
        {"urn": urn, "input": {"state": "RESOLVED", "stage": "FIXED", "message": "fixed"}},
    )
    gql.data(UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED", "message": "note"}})

    entries = gql.data(ACTIVITY, {"urn": urn})["entity"]["activity"]

    kinds = [(e["kind"], e["previousValue"], e["newValue"], e["message"]) for e in entries]
    assert kinds[0][0] == "RAISED"
    assert json.loads(kinds[0][2])["title"] == "t"
    assert kinds[1:] == [
        ("TITLE", '"t"', '"t2"', None),
        ("PRIORITY", '"LOW"', '"CRITICAL"', None),
        ("STATE", '"ACTIVE"', '"RESOLVED"', "fixed"),
        ("STAGE", None, '"FIXED"', None),
        ("MESSAGE", None, None, "note"),
    ]
    assert all(e["actor"] == "urn:li:corpuser:datahub" for e in entries)
    times = [e["time"] for e in entries]
    assert times == sorted(times)


def test_an_update_that_changes_nothing_adds_no_entry(gql: GraphQL) -> None:
    urn = _raise(gql, title="same")

    gql.data(UPDATE, {"urn": urn, "input": {"title": "same"}})

    assert [e["kind"] for e in gql.data(ACTIVITY, {"urn": urn})["entity"]["activity"]] == ["RAISED"]


def _type_entries(gql: GraphQL, urn: str) -> list[tuple[Any, Any]]:
    entries = gql.data(ACTIVITY, {"urn": urn})["entity"]["activity"]
    return [
        (json.loads(e["previousValue"]), json.loads(e["newValue"]))
        for e in entries
        if e["kind"] == "TYPE"
    ]


def test_update_incident_changes_the_type_and_the_timeline_keeps_both(gql: GraphQL) -> None:
    urn = _raise(gql)

    gql.data(UPDATE, {"urn": urn, "input": {"type": "CUSTOM", "customType": "Late file"}})
    gql.data(UPDATE, {"urn": urn, "input": {"type": "FRESHNESS"}})

    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert (incident["incidentType"], incident["customType"]) == ("FRESHNESS", None)
    operational = {"type": "OPERATIONAL", "customType": None}
    late = {"type": "CUSTOM", "customType": "Late file"}
    freshness = {"type": "FRESHNESS", "customType": None}
    assert _type_entries(gql, urn) == [(operational, late), (late, freshness)]


def test_a_custom_type_alone_renames_a_custom_incident(gql: GraphQL) -> None:
    urn = _raise(gql, type="CUSTOM", customType="Late file")

    gql.data(UPDATE, {"urn": urn, "input": {"customType": "Very late file"}})
    gql.data(UPDATE, {"urn": urn, "input": {"type": "CUSTOM"}})  # the same: nothing written

    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert (incident["incidentType"], incident["customType"]) == ("CUSTOM", "Very late file")
    assert len(_type_entries(gql, urn)) == 1


def test_custom_without_a_custom_type_is_refused_and_writes_nothing(gql: GraphQL) -> None:
    urn = _raise(gql, title="before")

    error = gql.error(UPDATE, {"urn": urn, "input": {"title": "after", "type": "CUSTOM"}})

    assert error["message"] == "customType is required when type is CUSTOM."
    assert error["extensions"]["code"] == 400
    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert (incident["title"], incident["incidentType"]) == ("before", "OPERATIONAL")
    assert _type_entries(gql, urn) == []
