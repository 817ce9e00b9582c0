"""Every GraphQL request of the seed document, as written there, against a real server process.

The curl examples run through bash and curl, the Python examples run as Python with requests, and
the bare GraphQL requests are posted as they are: only the example host and token are replaced.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN
from tests.e2e.seed import SEED, SHARED_SEED, SeedRequest, localize, seed_requests
from tests.e2e.server import DATAFLARE, Server, dataflare_env, serving

KAFKA = "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"
SEED_INCIDENT_ID = "bfecab62-dc10-49a6-a305-78ce0cc6e5b1"
INCIDENT_URN = re.compile(r"urn:li:incident:[0-9a-f-]{36}")


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN)
    with serving(env) as running:
        yield running


@pytest.fixture
def token(database_url: str, tmp_path: Path) -> str:
    """A personal access token made with the CLI, as a newcomer would."""
    created = subprocess.run(
        [DATAFLARE, "tokens", "create", "--user", "jjoyce", "--name", "seed"],
        env=dataflare_env(tmp_path, database_url),
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip()


def send(request: SeedRequest, url: str, token: str) -> dict[str, Any]:
    """Issue one seed request the way the seed shows it; return the JSON answer."""
    text = localize(request.text, url, token)
    if request.form == "curl":
        assert shutil.which("curl"), "curl is needed to run the seed's curl examples"
        done = subprocess.run(["bash", "-c", text], capture_output=True, text=True, check=True)
        answer: dict[str, Any] = httpx.Response(200, content=done.stdout).json()
        return answer
    if request.form == "python":
        namespace: dict[str, Any] = {}
        exec(compile(text, "seed example", "exec"), namespace)
        python_answer: dict[str, Any] = namespace["res_data"]
        return python_answer
    response = httpx.post(
        f"{url}/api/graphql",
        json={"query": text},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    graphql_answer: dict[str, Any] = response.json()
    return graphql_answer


def _in(section: str) -> list[SeedRequest]:
    return [r for r in seed_requests() if r.section == section]


def test_the_seed_copy_is_the_shared_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("no shared/ folder beside this checkout")
    assert SEED.read_text() == SHARED_SEED.read_text()


def test_the_seed_has_three_forms_of_each_request() -> None:
    sections = {
        "Creating an Incident via API": 3,
        "Retrieving Active Incidents": 3,
        "Resolving an Incident via API": 3,
    }
    for section, count in sections.items():
        assert sorted(r.form for r in _in(section)) == ["curl", "graphql", "python"][:count]


def test_every_seed_request_works_unchanged(server: Server, token: str) -> None:
    # Creating: each form answers a new incident URN.
    raised = []
    for request in _in("Creating an Incident via API"):
        answer = send(request, server.url, token)
        assert set(answer) == {"data"}, (request.form, answer)
        assert INCIDENT_URN.fullmatch(answer["data"]["raiseIncident"])
        raised.append(answer["data"]["raiseIncident"])
    assert len(set(raised)) == 3

    # Retrieving, as written (for urn:li:dataset:(abc)): the answer has the seed's shape.
    for request in _in("Retrieving Active Incidents"):
        answer = send(request, server.url, token)
        assert answer == {"data": {"dataset": {"incidents": {"total": 0, "incidents": []}}}}

    # Retrieving for the dataset the incidents were raised on shows them, newest first.
    for request in _in("Retrieving Active Incidents"):
        on_kafka = SeedRequest(
            request.section, request.form, request.text.replace("urn:li:dataset:(abc)", KAFKA)
        )
        incidents = send(on_kafka, server.url, token)["data"]["dataset"]["incidents"]
        assert incidents["total"] == 3
        assert [i["urn"] for i in incidents["incidents"]] == list(reversed(raised))
        first = incidents["incidents"][-1]
        assert first["title"] == "Dataset Failed Quality Checks"
        assert first["description"] == (
            "Dataset failed 2/6 Quality Checks for suite run id xy123mksj812pk23."
        )
        assert first["status"] == {"state": "ACTIVE"}

    # Resolving: the seed resolves urn:li:incident:bfecab62-...; raise it under that id first.
    given = {"type": "OPERATIONAL", "resourceUrn": KAFKA, "id": SEED_INCIDENT_ID}
    created = httpx.post(
        f"{server.url}/api/graphql",
        json={
            "query": "mutation($i: RaiseIncidentInput!) { raiseIncident(input: $i) }",
            "variables": {"i": given},
        },
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert created == {"data": {"raiseIncident": f"urn:li:incident:{SEED_INCIDENT_ID}"}}
    for request in _in("Resolving an Incident via API"):
        assert send(request, server.url, token) == {"data": {"updateIncidentStatus": "true"}}

    resolved = httpx.post(
        f"{server.url}/api/graphql",
        json={
            "query": f'{{ entity(urn: "urn:li:incident:{SEED_INCIDENT_ID}") {{ ... on Incident '
            "{ status { state message lastUpdated { actor } } } } }"
        },
        headers={"Authorization": f"Bearer {token}"},
    ).json()["data"]["entity"]["status"]
    assert resolved == {
        "state": "RESOLVED",
        "message": "Dataset is now passing validations. "
        "Verified by John Joyce on Data Platform eng.",
        "lastUpdated": {"actor": "urn:li:corpuser:jjoyce"},
    }


def test_a_request_without_a_token_gets_401_from_the_server(server: Server) -> None:
    response = httpx.post(f"{server.url}/api/graphql", json={"query": "{ __typename }"})

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == 401
