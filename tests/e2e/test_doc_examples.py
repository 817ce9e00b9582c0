"""Every GraphQL example of the README and of docs/, run as written against a real
`dataflare serve --demo`, so an example cannot drift from the API. A placeholder such as
`urn:li:incident:5b0e...` stands for an incident raised just before."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse

from tests.conftest import BACKENDS, empty_postgres
from tests.e2e.server import Server, dataflare_env

ROOT = Path(__file__).parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TOKEN = "doc-examples-token"
# A fenced block, also one indented inside a list item.
BLOCK = re.compile(r"^( *)```(\w+)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
INCIDENT_PLACEHOLDER = re.compile(r"urn:li:incident:\w*\.\.\.")
KAFKA = "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"


@dataclass(frozen=True)
class Example:
    where: str  # file:line
    text: str


def examples(language: str) -> list[Example]:
    found = []
    for doc in DOCS:
        content = doc.read_text()
        for block in BLOCK.finditer(content):
            if block.group(2) == language:
                line = content.count("\n", 0, block.start()) + 1
                found.append(Example(f"{doc.name}:{line}", textwrap.dedent(block.group(3))))
    return found


GRAPHQL = examples("graphql")
CURL = [e for e in examples("sh") if "curl" in e.text and "/api/graphql" in e.text]


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("docs")
    if request.param == "sqlite":
        shutil.copy(sqlite_template, home / "dataflare.db")
        database_url = f"sqlite:///{home / 'dataflare.db'}"
    else:
        database_url = request.getfixturevalue("postgres_database")
        empty_postgres(database_url)
    running = Server(dataflare_env(home, database_url, DATAFLARE_ADMIN_TOKEN=TOKEN), "--demo")
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def post(server: Server, query: str, operation: str | None = None) -> dict[str, Any]:
    response = httpx.post(
        f"{server.url}/api/graphql",
        json={"query": query, "operationName": operation},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def with_a_real_incident(server: Server, text: str) -> str:
    if not INCIDENT_PLACEHOLDER.search(text):
        return text
    raised = post(
        server, f'mutation {{ raiseIncident(input: {{type: SQL, resourceUrn: "{KAFKA}"}}) }}'
    )
    return INCIDENT_PLACEHOLDER.sub(raised["data"]["raiseIncident"], text)


def test_the_docs_have_the_examples_this_runs() -> None:
    where = {e.where.split(":")[0] for e in GRAPHQL}
    assert len(GRAPHQL) >= 4 and {"README.md", "pipelines.md"} <= where
    assert CURL


@pytest.mark.parametrize("example", GRAPHQL, ids=[e.where for e in GRAPHQL])
def test_each_graphql_example_runs_without_errors(server: Server, example: Example) -> None:
    text = with_a_real_incident(server, example.text)
    operations = [d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)]
    assert operations, "no operation in the example"

    for operation in operations:  # in the order the reader would send them
        name = operation.name.value if operation.name else None
        answer = post(server, text, name)
        assert "errors" not in answer, (name, answer["errors"])
        assert all(value is not None for value in answer["data"].values()), (name, answer)


@pytest.mark.parametrize("example", CURL, ids=[e.where for e in CURL])
def test_each_curl_example_runs_without_errors(server: Server, example: Example) -> None:
    command = example.text.replace("http://127.0.0.1:9002", server.url).replace("dfp_...", TOKEN)

    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True)

    answer = json.loads(done.stdout)
    assert "errors" not in answer and all(v is not None for v in answer["data"].values())
