"""DataHub's smoke tests for incidents and incident health, rewritten against a real `dataflare
serve`: the same fixture data, sent the way DataHub's `datahub-rest` sink sends it (a dataset
snapshot to /entities?action=ingest, the other records as proposals), and the same GraphQL
documents, field for field, posted with a bearer token to /api/v2/graphql.

Where DataHub's smoke test and the seed disagree, the seed wins and the test says so:
`updateIncidentStatus` answers the String "true", where DataHub's test expects the Boolean true.
The README lists each such difference ("DataHub's smoke tests", under The API).

tests/e2e/test_assertions.py holds the shorter Monte Carlo style listing of the same incident;
this module keeps DataHub's whole document, and the rest of both smoke tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.server import Server, dataflare_env, serving

TOKEN = "smoke-admin-token"
ADMIN = "urn:li:corpuser:admin"

SMOKE_DATASET = "urn:li:dataset:(urn:li:dataPlatform:kafka,incidents-sample-dataset,PROD)"
SMOKE_INCIDENT = "urn:li:incident:test"
SMOKE_ASSERTION = "urn:li:assertion:assertion-test"

# The incident list of DataHub's smoke test, as it sends it (one selection a line).
LIST_ACTIVE = """query dataset($urn: String!) {
  dataset(urn: $urn) {
    incidents(state: ACTIVE, start: 0, count: 10) {
      start
      count
      total
      incidents {
        urn
        type
        incidentType
        title
        description
        status {
          state
          message
          lastUpdated {
            time
            actor
          }
        }
        source {
          type
          source {
            ... on Assertion {
              urn
              info {
                type
              }
            }
          }
        }
        entity {
          urn
        }
        created {
          time
          actor
        }
      }
    }
  }
}"""

LIST_RESOLVED = """query dataset($urn: String!) {
  dataset(urn: $urn) {
    incidents(state: RESOLVED, start: 0, count: 10) {
      start
      count
      total
      incidents {
        urn
        type
        incidentType
        title
        description
        priority
        status {
          state
          message
          lastUpdated {
            time
            actor
          }
        }
        entity {
          urn
        }
        created {
          time
          actor
        }
      }
    }
  }
}"""

LIST_ANY = """query dataset($urn: String!) {
  dataset(urn: $urn) {
    incidents(start: 0, count: 10) {
      total
      incidents { urn status { state } }
    }
  }
}"""

RAISE = """mutation raiseIncident($input: RaiseIncidentInput!) {
  raiseIncident(input: $input)
}"""

# Current DataHub declares the input as IncidentStatusInput; the seed (and older DataHub) as
# UpdateIncidentStatusInput. Both are accepted.
RESOLVE = """mutation updateIncidentStatus($urn: String!, $input: IncidentStatusInput!) {
  updateIncidentStatus(urn: $urn, input: $input)
}"""
RESOLVE_AS_THE_SEED = """mutation updateIncidentStatus(
  $urn: String!, $input: UpdateIncidentStatusInput!
) {
  updateIncidentStatus(urn: $urn, input: $input)
}"""

HEALTH_FRAGMENT = """fragment health on Dataset {
  urn
  health {
    type
    status
    message
    activeIncidentHealthDetails {
      latestIncidentUrn
    }
  }
}"""

HEALTH_ONE = f"""query health($urn: String!) {{
  dataset(urn: $urn) {{ ...health }}
}}

{HEALTH_FRAGMENT}"""

SOFT_DELETE = """mutation batchUpdateSoftDeleted($urns: [String!]!, $deleted: Boolean!) {
  batchUpdateSoftDeleted(input: {urns: $urns, deleted: $deleted})
}"""


# --- the fixture data, as the smoke tests' files hold it --------------------------------------


def _mcp(urn: str, aspect_name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "auditHeader": None,
        "entityType": urn.split(":")[2],
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": aspect_name,
        "aspect": {"value": json.dumps(value), "contentType": "application/json"},
        "systemMetadata": None,
    }


def _stamp(time: int) -> dict[str, Any]:
    return {"time": time, "actor": ADMIN}


def _incident_info(
    on: str, title: str, description: str, state: str, time: int, source: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "OPERATIONAL",
        "title": title,
        "description": description,
        "entities": [on],
        "status": {"state": state, "lastUpdated": _stamp(time)},
        "source": source,
        "created": _stamp(time),
    }


def _dataset_snapshot(urn: str) -> dict[str, Any]:
    """A dataset as an MCE, with the aspects the incidents fixture gives it: some Dataflare
    reads (properties, ownership), some it keeps without reading (browse paths, links, schema)."""
    jdoe = {"time": 1581407189000, "actor": "urn:li:corpuser:jdoe", "impersonator": None}
    field = {
        "fieldPath": "[version=2.0].[type=boolean].field_bar",
        "nullable": False,
        "description": "Bar field description",
        "type": {"type": {"com.linkedin.schema.BooleanType": {}}},
        "nativeDataType": "boolean",
        "recursive": False,
    }
    aspects = [
        {"com.linkedin.common.BrowsePaths": {"paths": ["/prod/kafka/SampleKafkaDataset"]}},
        {
            "com.linkedin.dataset.DatasetProperties": {
                "tags": [],
                "customProperties": {"prop1": "fakeprop", "prop2": "pikachu"},
            }
        },
        {
            "com.linkedin.common.Ownership": {
                "owners": [
                    {"owner": "urn:li:corpuser:jdoe", "type": "DATAOWNER"},
                    {"owner": "urn:li:corpuser:datahub", "type": "DATAOWNER"},
                ],
                "lastModified": jdoe,
            }
        },
        {
            "com.linkedin.common.InstitutionalMemory": {
                "elements": [
                    {
                        "url": "https://www.linkedin.com",
                        "description": "Sample doc",
                        "createStamp": jdoe,
                    }
                ]
            }
        },
        {
            "com.linkedin.schema.SchemaMetadata": {
                "schemaName": "SampleKafkaSchema",
                "platform": "urn:li:dataPlatform:kafka",
                "version": 0,
                "created": jdoe,
                "lastModified": jdoe,
                "hash": "",
                "platformSchema": {
                    "com.linkedin.schema.KafkaSchema": {"documentSchema": '{"type":"record"}'}
                },
                "fields": [field],
            }
        },
    ]
    return {"com.linkedin.metadata.snapshot.DatasetSnapshot": {"urn": urn, "aspects": aspects}}


def _incidents_fixture() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The incidents smoke test's data: its dataset (a snapshot), and an incident sent as
    `incidentInfo` with the assertion whose failure raised it, and that assertion."""
    incident = _incident_info(
        SMOKE_DATASET,
        "test title",
        "test description",
        "ACTIVE",
        0,
        {"type": "ASSERTION_FAILURE", "sourceUrn": SMOKE_ASSERTION},
    )
    return _dataset_snapshot(SMOKE_DATASET), [
        _mcp(SMOKE_INCIDENT, "incidentInfo", incident),
        _mcp(SMOKE_ASSERTION, "assertionInfo", {"type": "DATASET"}),
    ]


def _health_dataset(n: int) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:kafka,health_batch_ds_{n},PROD)"


def _health_incident(slug: str) -> str:
    return f"urn:li:incident:health-batch-{slug}"


# alias: (dataset, active incidents, the newest active one)
HEALTH_EXPECTED: dict[str, tuple[str, int, str | None]] = {
    "d1": (_health_dataset(1), 2, _health_incident("1b")),  # two active: the newer is latest
    "d2": (_health_dataset(2), 1, _health_incident("2a")),  # one active
    "d3": (_health_dataset(3), 0, None),  # only a resolved one
    "d4": (_health_dataset(4), 0, None),  # none at all
    "d5": (_health_dataset(5), 1, _health_incident("5a")),  # active, and a newer resolved one
}

# incident slug: (dataset number, state, created time)
HEALTH_INCIDENTS = {
    "1a": (1, "ACTIVE", 1000),
    "1b": (1, "ACTIVE", 2000),
    "2a": (2, "ACTIVE", 500),
    "3a": (3, "RESOLVED", 3000),
    "5a": (5, "ACTIVE", 400),
    "5r": (5, "RESOLVED", 5000),
}


def _health_fixture() -> list[dict[str, Any]]:
    """The health batch smoke test's data: five datasets (properties only) and six incidents."""
    proposals = [
        _mcp(
            _health_dataset(n),
            "datasetProperties",
            {"name": f"health_batch_ds_{n}", "description": f"health batch dataset {n}"},
        )
        for n in range(1, 6)
    ]
    for slug, (n, state, time) in HEALTH_INCIDENTS.items():
        info = _incident_info(
            _health_dataset(n),
            f"ds{n} {slug}",
            f"{state.lower()} on ds{n}",
            state,
            time,
            {"type": "MANUAL"},
        )
        proposals.append(_mcp(_health_incident(slug), "incidentInfo", info))
    return proposals


def _health_batch_query() -> tuple[str, dict[str, str]]:
    """One document reading the health of every dataset, an alias each, through the fragment."""
    declared = ", ".join(f"${alias}: String!" for alias in HEALTH_EXPECTED)
    fields = "\n".join(
        f"  {alias}: dataset(urn: ${alias}) {{ ...health }}" for alias in HEALTH_EXPECTED
    )
    query = f"query healthBatch({declared}) {{\n{fields}\n}}\n\n{HEALTH_FRAGMENT}"
    return query, {alias: urn for alias, (urn, _, _) in HEALTH_EXPECTED.items()}


# --- talking to the server, as the smoke tests' session does ----------------------------------


class Smoke:
    """A session on a running server with the admin's token."""

    def __init__(self, server: Server) -> None:
        self.http = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
        )

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post("/api/v2/graphql", json={"query": query, "variables": variables})
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def ingest_snapshot(self, snapshot: dict[str, Any]) -> None:
        """An MCE, as the REST emitter sends one."""
        response = self.http.post(
            "/entities?action=ingest", json={"entity": {"value": snapshot}, "systemMetadata": {}}
        )
        assert response.status_code == 200, response.text

    def ingest_proposals(self, proposals: list[dict[str, Any]]) -> None:
        response = self.http.post(
            "/aspects?action=ingestProposalBatch", json={"proposals": proposals}
        )
        assert response.status_code == 200, response.text

    def delete(self, urn: str) -> dict[str, Any]:
        response = self.http.post("/entities?action=delete", json={"urn": urn})
        assert response.status_code == 200, response.text
        value: dict[str, Any] = response.json()["value"]
        return value

    def incidents(self, query: str, urn: str) -> dict[str, Any]:
        found: dict[str, Any] = self.graphql(query, {"urn": urn})["dataset"]["incidents"]
        return found


@pytest.fixture
def smoke(database_url: str, tmp_path: Path) -> Iterator[Smoke]:
    env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=TOKEN)
    with serving(env, "--no-notify") as server:
        session = Smoke(server)
        try:
            yield session
        finally:
            session.http.close()


@pytest.fixture
def incidents_data(smoke: Smoke) -> Smoke:
    snapshot, proposals = _incidents_fixture()
    smoke.ingest_snapshot(snapshot)
    smoke.ingest_proposals(proposals)
    return smoke


def _raise_and_resolve(smoke: Smoke, resolve: str = RESOLVE) -> str:
    urn: str = smoke.graphql(
        RAISE,
        {
            "input": {
                "type": "OPERATIONAL",
                "title": "test title 2",
                "description": "test description 2",
                "resourceUrn": SMOKE_DATASET,
                "priority": "CRITICAL",
            }
        },
    )["raiseIncident"]
    resolved = smoke.graphql(
        resolve, {"urn": urn, "input": {"state": "RESOLVED", "message": "test message 2"}}
    )
    # DataHub's smoke test expects the Boolean true; the seed answers the String "true".
    assert resolved == {"updateIncidentStatus": "true"}
    return urn


# --- incidents_test ----------------------------------------------------------------------------


def test_the_ingested_incident_is_listed_with_the_assertion_that_raised_it(
    incidents_data: Smoke,
) -> None:
    listed = incidents_data.incidents(LIST_ACTIVE, SMOKE_DATASET)

    assert listed == {
        "start": 0,
        "count": 10,
        "total": 1,
        "incidents": [
            {
                "urn": SMOKE_INCIDENT,
                "type": "INCIDENT",
                "incidentType": "OPERATIONAL",
                "title": "test title",
                "description": "test description",
                "status": {"state": "ACTIVE", "message": None, "lastUpdated": _stamp(0)},
                "source": {
                    "type": "ASSERTION_FAILURE",
                    "source": {"urn": SMOKE_ASSERTION, "info": {"type": "DATASET"}},
                },
                "entity": {"urn": SMOKE_DATASET},
                "created": _stamp(0),
            }
        ],
    }


def test_a_raised_incident_once_resolved_is_listed_as_resolved_with_its_priority(
    incidents_data: Smoke,
) -> None:
    urn = _raise_and_resolve(incidents_data)

    resolved = incidents_data.incidents(LIST_RESOLVED, SMOKE_DATASET)
    assert (resolved["start"], resolved["count"], resolved["total"]) == (0, 10, 1)
    [incident] = [i for i in resolved["incidents"] if i["urn"] == urn]
    assert incident["type"] == "INCIDENT"
    assert incident["incidentType"] == "OPERATIONAL"
    assert incident["title"] == "test title 2"
    assert incident["description"] == "test description 2"
    assert incident["priority"] == "CRITICAL"
    assert incident["status"]["state"] == "RESOLVED"
    assert incident["status"]["message"] == "test message 2"
    assert incident["status"]["lastUpdated"]["actor"] == "urn:li:corpuser:datahub"
    assert incident["entity"] == {"urn": SMOKE_DATASET}
    assert incident["created"]["time"] <= incident["status"]["lastUpdated"]["time"]


def test_the_seed_s_input_name_resolves_an_incident_too(incidents_data: Smoke) -> None:
    urn = _raise_and_resolve(incidents_data, RESOLVE_AS_THE_SEED)

    resolved = incidents_data.incidents(LIST_RESOLVED, SMOKE_DATASET)
    assert [i["urn"] for i in resolved["incidents"]] == [urn]


def test_the_older_smoke_test_s_integer_priority_is_refused_and_nothing_raised(
    incidents_data: Smoke,
) -> None:
    # The older smoke test sent priority 0 when it was an integer; it is an enum now.
    variables = {"input": {"type": "OPERATIONAL", "resourceUrn": SMOKE_DATASET, "priority": 0}}

    response = incidents_data.http.post(
        "/api/v2/graphql", json={"query": RAISE, "variables": variables}
    )

    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert "IncidentPriority" in error["message"]
    assert error["extensions"]["code"] == 400
    assert incidents_data.incidents(LIST_ANY, SMOKE_DATASET)["total"] == 1


def test_the_state_filter_keeps_active_and_resolved_apart(incidents_data: Smoke) -> None:
    raised = _raise_and_resolve(incidents_data)

    active = incidents_data.incidents(LIST_ACTIVE, SMOKE_DATASET)
    resolved = incidents_data.incidents(LIST_RESOLVED, SMOKE_DATASET)
    every = incidents_data.incidents(LIST_ANY, SMOKE_DATASET)
    assert [i["urn"] for i in active["incidents"]] == [SMOKE_INCIDENT]
    assert [i["urn"] for i in resolved["incidents"]] == [raised]
    assert every["total"] == 2
    assert {i["urn"]: i["status"]["state"] for i in every["incidents"]} == {
        SMOKE_INCIDENT: "ACTIVE",
        raised: "RESOLVED",
    }


def test_a_deleted_incident_leaves_the_dataset(incidents_data: Smoke) -> None:
    raised = _raise_and_resolve(incidents_data)

    deleted = incidents_data.delete(raised)

    assert deleted["urn"] == raised and deleted["rows"] > 0
    assert incidents_data.incidents(LIST_RESOLVED, SMOKE_DATASET)["total"] == 0
    assert incidents_data.incidents(LIST_ACTIVE, SMOKE_DATASET)["total"] == 1


def test_the_cleanup_deletes_every_urn_of_the_fixture(incidents_data: Smoke) -> None:
    for urn in (SMOKE_DATASET, SMOKE_INCIDENT, SMOKE_ASSERTION):
        assert incidents_data.delete(urn)["urn"] == urn

    assert incidents_data.incidents(LIST_ANY, SMOKE_DATASET) == {"total": 0, "incidents": []}
    health = incidents_data.graphql(HEALTH_ONE, {"urn": SMOKE_DATASET})["dataset"]["health"]
    assert [(h["type"], h["status"]) for h in health] == [("INCIDENTS", "PASS")]


# --- health_batch_test -------------------------------------------------------------------------


def _incident_health(dataset: dict[str, Any]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = [h for h in dataset["health"] or [] if h["type"] == "INCIDENTS"]
    [entry] = entries  # one INCIDENTS entry, always
    return entry


def _check_health(alias: str, dataset: dict[str, Any]) -> None:
    urn, count, latest = HEALTH_EXPECTED[alias]
    assert dataset["urn"] == urn
    health = _incident_health(dataset)
    if count == 0:
        assert health["status"] == "PASS", (alias, health)
        assert health["activeIncidentHealthDetails"] is None, (alias, health)
        return
    assert health["status"] == "FAIL", (alias, health)
    assert health["message"] == f"{count} active incident{'s' if count > 1 else ''}", alias
    assert health["activeIncidentHealthDetails"] == {"latestIncidentUrn": latest}, alias


@pytest.fixture
def health_data(smoke: Smoke) -> Smoke:
    smoke.ingest_proposals(_health_fixture())
    return smoke


def test_the_health_of_five_datasets_in_one_query(health_data: Smoke) -> None:
    query, variables = _health_batch_query()

    data = health_data.graphql(query, variables)

    assert set(data) == set(HEALTH_EXPECTED)
    for alias, dataset in data.items():
        _check_health(alias, dataset)


def test_a_manual_incident_lists_no_source_entity(health_data: Smoke) -> None:
    # The older smoke test's fixture sent its incident with a MANUAL source: `source` is null.
    urn, _, latest = HEALTH_EXPECTED["d2"]

    listed = health_data.incidents(LIST_ACTIVE, urn)

    assert listed["total"] == 1
    [incident] = listed["incidents"]
    assert incident["urn"] == latest
    assert incident["source"] == {"type": "MANUAL", "source": None}
    assert incident["created"] == _stamp(500)


def test_a_soft_deleted_dataset_keeps_its_incident_health(health_data: Smoke) -> None:
    urn = HEALTH_EXPECTED["d2"][0]

    assert health_data.graphql(SOFT_DELETE, {"urns": [urn], "deleted": True}) == {
        "batchUpdateSoftDeleted": True
    }
    _check_health("d2", health_data.graphql(HEALTH_ONE, {"urn": urn})["dataset"])
    health_data.graphql(SOFT_DELETE, {"urns": [urn], "deleted": False})
    _check_health("d2", health_data.graphql(HEALTH_ONE, {"urn": urn})["dataset"])
