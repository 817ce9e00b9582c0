"""The HTTP face of the API: tokens, paths, /config, and request bodies."""

import pytest
from graphql import get_introspection_query
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from dataflare.access.tokens import create_token
from dataflare.db.database import Database
from tests.conftest import GraphQL
from tests.graphql.documents import INCIDENT, KAFKA, RAISE

RAISE_LITERAL = f'mutation {{ raiseIncident(input: {{type: SQL, resourceUrn: "{KAFKA}"}}) }}'


def _token(db: Database, user: str) -> str:
    session: Session
    with db.session(write=True) as session:
        _, secret = create_token(session, user, "tests")
    return secret


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (
            {},
            "Missing access token: send the header "
            "'Authorization: Bearer <personal access token>'.",
        ),
        (
            {"Authorization": "Bearer wrong"},
            "Invalid access token: it is unknown or has been revoked.",
        ),
        (
            {"Authorization": "Basic abc"},
            "Malformed Authorization header: expected 'Bearer <personal access token>'.",
        ),
        (
            {"Authorization": "Bearer "},
            "Malformed Authorization header: expected 'Bearer <personal access token>'.",
        ),
    ],
)
@pytest.mark.parametrize("path", ["/api/graphql", "/api/v2/graphql"])
def test_no_or_a_bad_token_is_401_with_a_json_error(
    client: TestClient, gql: GraphQL, headers: dict[str, str], message: str, path: str
) -> None:
    response = client.post(path, json={"query": RAISE_LITERAL}, headers=headers)

    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"message": message, "extensions": {"code": 401, "type": "UNAUTHENTICATED"}}]
    }
    page = gql.data(f'{{ dataset(urn: "{KAFKA}") {{ incidents {{ total }} }} }}')
    assert page["dataset"]["incidents"]["total"] == 0


def test_a_bad_token_gets_401_even_for_a_bad_body(client: TestClient) -> None:
    response = client.post("/api/graphql", content=b"not json")

    assert response.status_code == 401


def test_a_created_token_acts_as_its_user(gql: GraphQL, db: Database) -> None:
    token = _token(db, "alice")

    urn = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA}}, token=token)[
        "raiseIncident"
    ]

    incident = gql.data(INCIDENT, {"urn": urn}, token=token)["entity"]
    assert incident["created"]["actor"] == "urn:li:corpuser:alice"
    assert incident["status"]["lastUpdated"]["actor"] == "urn:li:corpuser:alice"


def test_tokens_are_stored_only_as_hashes(db: Database) -> None:
    token = _token(db, "alice")

    with db.session() as session:
        stored = session.execute(text("SELECT token_id, token_hash, name FROM access_tokens")).all()
    assert len(stored) == 1
    assert token not in repr(stored)
    assert token.startswith("dfp_") and len(token) > 40


def test_the_v2_path_serves_the_same_api(gql: GraphQL) -> None:
    urn = gql.data(RAISE_LITERAL, path="/api/v2/graphql")["raiseIncident"]

    assert gql.data(INCIDENT, {"urn": urn})["entity"]["urn"] == urn


def test_config_is_open_and_says_no_code(client: TestClient) -> None:
    response = client.get("/config")

    assert response.status_code == 200
    assert response.json()["noCode"] == "true"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "The request body is not valid JSON"),
        (b"[1]", 'The request body must be a JSON object: {"query": "...", ...}.'),
        (b'{"variables": {}}', 'The request body needs a "query" string holding a GraphQL'),
        (b'{"query": "{ __typename }", "variables": 3}', '"variables" must be a JSON object'),
    ],
)
def test_a_malformed_body_is_a_400_that_names_the_problem(
    client: TestClient, body: bytes, message: str
) -> None:
    response = client.post(
        "/api/graphql", content=body, headers={"Authorization": "Bearer test-admin-token"}
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["message"].startswith(message)
    assert error["extensions"] == {"code": 400, "type": "BAD_REQUEST"}


def test_a_hand_written_body_with_unescaped_quotes_still_works(client: TestClient) -> None:
    # The seed's curl examples send this: JSON whose query keeps its inner quotes unescaped.
    body = (
        '{"query":"query dataset {\\n dataset(urn: "' + KAFKA + '") {\\n incidents { total }'
        '\\n }\\n}","variables":{}}'
    ).encode()

    response = client.post(
        "/api/graphql", content=body, headers={"Authorization": "Bearer test-admin-token"}
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"dataset": {"incidents": {"total": 0}}}}


def test_an_unknown_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/nope")

    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == 404


def test_introspection_is_on(gql: GraphQL) -> None:
    schema = gql.data(get_introspection_query())["__schema"]

    names = {t["name"] for t in schema["types"]}
    assert {"Incident", "RaiseIncidentInput", "EntityIncidentsResult", "Health"} <= names
    assert schema["mutationType"]["name"] == "Mutation"


def test_parsed_documents_are_reused(client: TestClient, gql: GraphQL) -> None:
    documents = client.app.state.graphql.documents  # type: ignore[attr-defined]
    query = f'{{ dataset(urn: "{KAFKA}") {{ urn }} }}'
    gql.data(query)
    hits = documents.hits

    gql.data(query)

    assert documents.hits == hits + 1
