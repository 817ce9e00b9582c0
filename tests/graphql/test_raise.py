"""raiseIncident: defaults, every input field, caller-chosen ids and the assets it registers."""

import re

from tests.conftest import GraphQL
from tests.graphql.documents import CHART, INCIDENT, JOB, KAFKA, RAISE

UUID_URN = re.compile(
    r"urn:li:incident:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def test_a_new_incident_is_active_manual_and_started_when_created(gql: GraphQL) -> None:
    urn = gql.data(RAISE, {"input": {"type": "OPERATIONAL", "resourceUrn": KAFKA}})["raiseIncident"]

    assert UUID_URN.fullmatch(urn)
    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert incident["type"] == "INCIDENT"
    assert incident["incidentType"] == "OPERATIONAL"
    assert incident["status"]["state"] == "ACTIVE"
    assert incident["incidentStatus"]["state"] == "ACTIVE"
    assert incident["source"] == {"type": "MANUAL"}
    assert incident["startedAt"] == incident["created"]["time"]
    assert incident["created"]["actor"] == "urn:li:corpuser:datahub"
    assert incident["status"]["lastUpdated"]["actor"] == "urn:li:corpuser:datahub"
    assert incident["entity"] == {"urn": KAFKA, "type": "DATASET"}
    assert incident["title"] is None and incident["priority"] is None


def test_every_input_field_is_kept(gql: GraphQL) -> None:
    given = {
        "type": "CUSTOM",
        "customType": "Late partner feed",
        "title": "Partner feed late",
        "description": "No file since Monday.",
        "resourceUrns": [KAFKA, CHART],
        "source": {"type": "ASSERTION_FAILURE"},
        "status": {"state": "ACTIVE", "stage": "TRIAGE", "message": "looking"},
        "priority": "CRITICAL",
        "assigneeUrns": ["urn:li:corpuser:jdoe", "urn:li:corpGroup:data-eng"],
        "startedAt": 1700000000000,
    }

    urn = gql.data(RAISE, {"input": given})["raiseIncident"]

    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert incident["incidentType"] == "CUSTOM"
    assert incident["customType"] == "Late partner feed"
    assert incident["title"] == "Partner feed late"
    assert incident["description"] == "No file since Monday."
    assert incident["entities"] == [{"urn": KAFKA}, {"urn": CHART}]
    assert incident["entity"]["urn"] == KAFKA
    assert incident["source"] == {"type": "ASSERTION_FAILURE"}
    assert incident["status"]["stage"] == "TRIAGE"
    assert incident["status"]["message"] == "looking"
    assert incident["priority"] == "CRITICAL"
    assert incident["assignees"] == [
        {"urn": "urn:li:corpuser:jdoe", "username": "jdoe"},
        {"urn": "urn:li:corpGroup:data-eng", "name": "data-eng"},
    ]
    assert incident["startedAt"] == 1700000000000


def test_resource_urn_and_resource_urns_combine_without_repeats(gql: GraphQL) -> None:
    urn = gql.data(
        RAISE, {"input": {"type": "SQL", "resourceUrn": JOB, "resourceUrns": [JOB, KAFKA]}}
    )["raiseIncident"]

    assert gql.data(INCIDENT, {"urn": urn})["entity"]["entities"] == [{"urn": JOB}, {"urn": KAFKA}]


def test_a_caller_chosen_id_becomes_the_urn(gql: GraphQL) -> None:
    urn = gql.data(RAISE, {"input": {"type": "VOLUME", "resourceUrn": KAFKA, "id": "dq-42"}})[
        "raiseIncident"
    ]

    assert urn == "urn:li:incident:dq-42"
    assert gql.data(INCIDENT, {"urn": urn})["entity"]["incidentType"] == "VOLUME"


def test_an_unseen_asset_is_registered_from_its_urn(gql: GraphQL) -> None:
    gql.data(RAISE, {"input": {"type": "FRESHNESS", "resourceUrn": JOB}})

    job = gql.data(
        "query($urn: String!) { dataJob(urn: $urn) { urn type name platform { urn name } } }",
        {"urn": JOB},
    )["dataJob"]
    assert job == {
        "urn": JOB,
        "type": "DATA_JOB",
        "name": "load",
        "platform": {"urn": "urn:li:dataPlatform:airflow", "name": "airflow"},
    }


def test_the_seed_literal_form_works_without_variables(gql: GraphQL) -> None:
    data = gql.data(
        """mutation raiseIncident {
          raiseIncident(input: {
            type: OPERATIONAL
            title: "Dataset Failed Quality Checks"
            description: "Dataset failed 2/6 Quality Checks for suite run id xy123mksj812pk23."
            resourceUrn: "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"
            startedAt: 1700000000000
          })
        }"""
    )
    assert UUID_URN.fullmatch(data["raiseIncident"])
