"""Every privilege boundary: each role against each mutation, and the owners' override.
A refused change writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from dataflare.db.database import Database
from dataflare.db.registry import Base
from tests.access.helpers import user_with_token
from tests.conftest import GraphQL
from tests.graphql.documents import KAFKA, RAISE, UPDATE, UPDATE_STATUS

UNAUTHORIZED = "Unauthorized to perform this action. Please contact your DataHub administrator."
CHART = "urn:li:chart:(looker,look.1)"
CAN_EDIT = {"Admin": True, "Editor": True, "Reader": False}


def _rows(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            t.name: session.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


def _incident(gql: GraphQL) -> str:
    urn: str = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA}})["raiseIncident"]
    return urn


def _resolved(gql: GraphQL) -> str:
    urn = _incident(gql)
    gql.data(UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED"}})
    return urn


INCIDENT_MUTATIONS: list[tuple[str, Any]] = [
    ("raise", lambda gql: (RAISE, {"input": {"type": "SQL", "resourceUrns": [KAFKA, CHART]}})),
    (
        "resolve",
        lambda gql: (UPDATE_STATUS, {"urn": _incident(gql), "input": {"state": "RESOLVED"}}),
    ),
    ("reopen", lambda gql: (UPDATE_STATUS, {"urn": _resolved(gql), "input": {"state": "ACTIVE"}})),
    (
        "stage",
        lambda gql: (
            UPDATE_STATUS,
            {"urn": _incident(gql), "input": {"state": "ACTIVE", "stage": "TRIAGE"}},
        ),
    ),
    ("update", lambda gql: (UPDATE, {"urn": _incident(gql), "input": {"title": "renamed"}})),
    (
        "move",
        lambda gql: (UPDATE, {"urn": _incident(gql), "input": {"resourceUrns": [CHART]}}),
    ),
]


@pytest.mark.parametrize("role", list(CAN_EDIT))
@pytest.mark.parametrize(("change", "request_of"), INCIDENT_MUTATIONS)
def test_each_role_against_each_incident_mutation(
    gql: GraphQL, db: Database, role: str, change: str, request_of: Any
) -> None:
    token = user_with_token(db, "someone", role)
    document, variables = request_of(gql)  # set up as the admin
    before = _rows(db)

    body = gql(document, variables, token=token)

    if CAN_EDIT[role]:
        assert "errors" not in body, body
    else:
        [error] = body["errors"]
        assert error["message"] == UNAUTHORIZED
        assert error["extensions"] == {"code": 403, "type": "UNAUTHORIZED"}
        assert _rows(db) == before


def test_a_reader_may_still_read(gql: GraphQL, db: Database) -> None:
    urn = _incident(gql)
    token = user_with_token(db, "reader", "Reader")

    page = gql.data(
        f'{{ dataset(urn: "{KAFKA}") {{ incidents {{ incidents {{ urn }} }} }} }}', token=token
    )

    assert page["dataset"]["incidents"]["incidents"] == [{"urn": urn}]


def test_an_unknown_incident_is_still_not_found_for_an_editor(gql: GraphQL, db: Database) -> None:
    token = user_with_token(db, "ed", "Editor")

    body = gql(
        UPDATE_STATUS, {"urn": "urn:li:incident:nope", "input": {"state": "RESOLVED"}}, token=token
    )

    assert body["errors"][0]["extensions"]["code"] == 404


CREATE_USER = "mutation($i: CreateUserInput!) { createUser(input: $i) { urn username role } }"
LIST_USERS = "query { listUsers(input: {start: 0, count: 10}) { total users { username } } }"
ASSIGN = "mutation($i: BatchAssignRoleInput!) { batchAssignRole(input: $i) }"
STATUS = "mutation($u: String!) { updateCorpUserStatus(urn: $u, status: SUSPENDED) }"
CREATE_TOKEN = (
    "mutation($i: CreateAccessTokenInput!) { createAccessToken(input: $i) "
    "{ accessToken metadata { id } } }"
)
LIST_TOKENS = (
    "query($i: ListAccessTokenInput!) { listAccessTokens(input: $i) { total tokens { id } } }"
)
REVOKE = "mutation($id: String!) { revokeAccessToken(tokenId: $id) }"


def _admin_token_id(gql: GraphQL) -> str:
    created = gql.data(
        CREATE_TOKEN,
        {
            "i": {
                "type": "PERSONAL",
                "actorUrn": "urn:li:corpuser:datahub",
                "duration": "ONE_DAY",
                "name": "admin's",
            }
        },
    )
    token_id: str = created["createAccessToken"]["metadata"]["id"]
    return token_id


ACCESS_MUTATIONS: list[tuple[str, Any]] = [
    ("createUser", lambda gql: (CREATE_USER, {"i": {"username": "new", "role": "Reader"}})),
    ("listUsers", lambda gql: (LIST_USERS, {})),
    (
        "batchAssignRole",
        lambda gql: (
            ASSIGN,
            {"i": {"roleUrn": "urn:li:dataHubRole:Admin", "actors": ["urn:li:corpuser:someone"]}},
        ),
    ),
    ("updateCorpUserStatus", lambda gql: (STATUS, {"u": "urn:li:corpuser:other"})),
    (
        "createAccessToken for another user",
        lambda gql: (
            CREATE_TOKEN,
            {
                "i": {
                    "type": "PERSONAL",
                    "actorUrn": "urn:li:corpuser:other",
                    "duration": "ONE_DAY",
                    "name": "x",
                }
            },
        ),
    ),
    (
        "listAccessTokens of another user",
        lambda gql: (
            LIST_TOKENS,
            {"i": {"filters": [{"field": "actorUrn", "values": ["urn:li:corpuser:other"]}]}},
        ),
    ),
    ("revokeAccessToken of another user", lambda gql: (REVOKE, {"id": _admin_token_id(gql)})),
]


@pytest.mark.parametrize("role", list(CAN_EDIT))
@pytest.mark.parametrize(("change", "request_of"), ACCESS_MUTATIONS)
def test_only_admins_manage_users_and_others_tokens(
    gql: GraphQL, db: Database, role: str, change: str, request_of: Any
) -> None:
    token = user_with_token(db, "someone", role)
    user_with_token(db, "other", "Editor")
    document, variables = request_of(gql)
    before = _rows(db)

    body = gql(document, variables, token=token)

    if role == "Admin":
        assert "errors" not in body, body
    else:
        [error] = body["errors"]
        assert (error["message"], error["extensions"]["code"]) == (UNAUTHORIZED, 403)
        assert _rows(db) == before
