"""The hostile-input table: NUL characters, lone surrogates, oversize text and numbers, through
every surface that stores text. Each row must get the same answer on SQLite and PostgreSQL (the
expected message is one string for both), never an internal error, and write nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from dataflare.db.database import Database
from dataflare.db.registry import Base
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE, UPDATE, UPDATE_STATUS
from tests.ingest.mcps import AUTH, BATCH, mcp
from tests.web.conftest import editor  # noqa: F401 (a fixture)
from tests.web.test_views import raise_form

KAFKA = "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"
NUL, SURROGATE = "a\u0000b", "a\ud800b"
NUL_TEXT = "NUL characters (\\u0000) are not allowed in text."
SURROGATE_TEXT = "the text holds a lone surrogate (such as \\ud800), which is not valid Unicode."
LONG_URN = f"urn:li:dataset:(urn:li:dataPlatform:kafka,{'x' * 1100},PROD)"
USER_512 = "urn:li:corpuser:" + "u" * (512 - len("urn:li:corpuser:"))
USER_513 = USER_512 + "u"


def posted(client: TestClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The single error of a GraphQL request whose JSON is ASCII-escaped, as clients send it:
    a lone surrogate cannot be sent as UTF-8, only as the escape \\ud800."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    response = client.post("/api/graphql", content=body, headers=AUTH)
    assert response.status_code == 200, response.text
    [error] = response.json()["errors"]
    return dict(error)


def rows(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def raise_with(**fields: Any) -> dict[str, Any]:
    return {"input": {"type": "OPERATIONAL", "resourceUrn": KAFKA, **fields}}


RAISES: list[tuple[dict[str, Any], str]] = [
    (raise_with(title=NUL), f"variables.input.title: {NUL_TEXT}"),
    (raise_with(description=SURROGATE), f"variables.input.description: {SURROGATE_TEXT}"),
    (raise_with(type="CUSTOM", customType=NUL), f"variables.input.customType: {NUL_TEXT}"),
    (raise_with(dedupKey=SURROGATE), f"variables.input.dedupKey: {SURROGATE_TEXT}"),
    (raise_with(resourceUrn=LONG_URN), "URN 'urn:li:dataset:(urn:li:dataPlatform:kafka,xxx"),
    (raise_with(assigneeUrns=[USER_513]), "URN 'urn:li:corpuser:uuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"),
    (raise_with(title="t" * 501), "Incident title is 501 characters long; the limit is 500."),
    (
        raise_with(assigneeUrns=[f"urn:li:corpuser:u{n}" for n in range(101)]),
        "An incident has at most 100 assignees (got 101).",
    ),
    (raise_with(customType="c" * 201, type="CUSTOM"), "customType is 201 characters long"),
    (raise_with(startedAt=2**62), "startedAt must be a time in epoch milliseconds, not 46116"),
    (raise_with(startedAt=2**63), "Variable '$input' has invalid value at .startedAt"),
    (
        raise_with(status={"state": "ACTIVE", "message": "m" * (64 * 1024 + 1)}),
        "Status message is 65537 bytes long",
    ),
]


@pytest.mark.parametrize(("variables", "message"), RAISES)
def test_a_hostile_raise_is_refused_alike_and_writes_nothing(
    client: TestClient, db: Database, variables: dict[str, Any], message: str
) -> None:
    before = rows(db)

    error = posted(client, RAISE, variables)

    assert error["message"].startswith(message), error["message"]
    assert error["extensions"]["code"] == 400
    assert rows(db) == before


def test_urns_of_512_characters_are_stored_on_both_databases(gql: GraphQL) -> None:
    urn = gql.data(RAISE, raise_with(assigneeUrns=[USER_512]))["raiseIncident"]

    found = gql.data(
        "query($urn: String!) { entity(urn: $urn) { ... on Incident { assignees { "
        "... on CorpUser { urn } } } } }",
        {"urn": urn},
    )

    assert found["entity"]["assignees"] == [{"urn": USER_512}]


def test_hostile_updates_are_refused_alike(client: TestClient, gql: GraphQL, db: Database) -> None:
    urn = gql.data(RAISE, raise_with())["raiseIncident"]
    before = rows(db)

    status = posted(
        client, UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED", "message": NUL}}
    )
    title = posted(client, UPDATE, {"urn": urn, "input": {"title": SURROGATE}})
    literal = gql.error(
        f'mutation {{ updateIncident(urn: "{urn}", input: {{title: "x\\u0000y"}}) }}'
    )

    assert status["message"] == f"variables.input.message: {NUL_TEXT}"
    assert title["message"] == f"variables.input.title: {SURROGATE_TEXT}"
    assert literal["message"] == f"A string in the query: {NUL_TEXT}"
    assert rows(db) == before


def _batch(client: TestClient, *proposals: dict[str, Any]) -> Any:
    body = json.dumps({"proposals": list(proposals)}).encode()
    return client.post(BATCH, content=body, headers=AUTH)


INGESTED: list[tuple[dict[str, Any], str]] = [
    (
        mcp(KAFKA, "datasetProperties", {"name": "n", "description": NUL}),
        f"proposals[0].aspect.value.description: {NUL_TEXT}",
    ),
    (
        mcp(KAFKA, "ownership", {"owners": [{"owner": USER_513, "type": "DATAOWNER"}]}),
        "URN 'urn:li:corpuser:uuuuuuuuuuuuuuuuuuuuuuuuuuuuuu",
    ),
    (
        mcp("urn:li:corpuser:jdoe", "corpUserInfo", {"displayName": "d" * 301, "active": True}),
        "aspect.display_name is 301 characters long; the limit is 300.",
    ),
    (mcp(LONG_URN, "status", {"removed": False}), "URN 'urn:li:dataset:("),
    (
        mcp(KAFKA, "editableDatasetProperties", {"description": "d" * (64 * 1024 + 1)}),
        "aspect.description is 65537 bytes long",
    ),
]


@pytest.mark.parametrize(("proposal", "message"), INGESTED)
def test_hostile_metadata_is_refused_alike_and_writes_nothing(
    client: TestClient, db: Database, proposal: dict[str, Any], message: str
) -> None:
    before = rows(db)

    response = _batch(client, proposal)

    assert response.status_code == 400, response.text
    assert message in response.json()["message"], response.json()["message"]
    assert rows(db) == before


def test_owners_of_512_characters_are_stored_on_both_databases(
    client: TestClient, gql: GraphQL
) -> None:
    owned = mcp(KAFKA, "ownership", {"owners": [{"owner": USER_512, "type": "DATAOWNER"}]})
    assert _batch(client, owned).status_code == 200

    found = gql.data(
        f'{{ dataset(urn: "{KAFKA}") {{ ownership {{ owners {{ owner {{ ... on CorpUser '
        "{ urn } } } } } }"
    )

    assert found["dataset"]["ownership"]["owners"] == [{"owner": {"urn": USER_512}}]


MALFORMED_BODIES: list[tuple[bytes, str]] = [
    (b"[" * 100_000 + b"]" * 100_000, "The request body is nested deeper than 64 levels."),
    (b'{"query": [' + b"1" * 5000 + b"]}", "The request body is not valid JSON (a number has"),
    (b'{"query": "\xff"}', "The request body is not valid UTF-8."),
    (b'{"query": [1e999]}', "The request body is not valid JSON (the number 1e999 is out"),
]


@pytest.mark.parametrize(("body", "message"), MALFORMED_BODIES)
def test_malformed_json_is_a_400_on_every_endpoint(
    client: TestClient, body: bytes, message: str
) -> None:
    ingested = client.post(BATCH, content=body, headers=AUTH)
    asked = client.post("/api/graphql", content=body, headers=AUTH)

    assert ingested.status_code == 400, ingested.text
    assert ingested.json()["message"].startswith(message), ingested.text
    assert asked.status_code == 400, asked.text
    assert asked.json()["errors"][0]["message"].startswith(message), asked.text


def test_a_body_of_the_wrong_shape_is_a_400(client: TestClient) -> None:
    ingested = client.post(BATCH, json="just a string", headers=AUTH)
    asked = client.post("/api/graphql", json=["a list"], headers=AUTH)

    assert ingested.status_code == asked.status_code == 400
    assert ingested.json()["message"] == 'The request body must be a JSON object with "proposals".'
    assert asked.json()["errors"][0]["message"].startswith("The request body must be a JSON obj")


def test_a_form_with_nul_is_a_400_page_and_writes_nothing(
    client: TestClient,
    db: Database,
    editor: str,  # noqa: F811 (the fixture)
) -> None:
    before = rows(db)

    page = client.post("/incidents/raise", data=raise_form(editor, title=NUL))
    client.cookies.clear()  # signed out: the login form is shown with its error
    login = client.post("/login", data={"username": NUL, "password": "x", "csrf_token": "t"})

    assert page.status_code == 400
    assert "The form field &#39;title&#39;: NUL characters" in page.text
    assert login.status_code == 400
    assert "The form field &#39;username&#39;: NUL characters" in login.text
    assert rows(db) == before


def test_a_deep_body_without_a_token_is_a_401(client: TestClient) -> None:
    deep = json.dumps({"query": "{ __typename }"}).encode()[:-1] + b',"x":' + b"[" * 100_000

    response = client.post("/api/graphql", content=deep)

    assert response.status_code == 401
