"""Personal access tokens over GraphQL: created once, listed without secrets, expiring, revoked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from dataflare.access.service import Credentials, authenticate_request
from dataflare.core.clock import now_ms
from dataflare.core.errors import Unauthenticated
from dataflare.db.database import Database
from tests.access.helpers import user_with_token
from tests.conftest import ADMIN_TOKEN, GraphQL

CREATE = """mutation($i: CreateAccessTokenInput!) {
  createAccessToken(input: $i) {
    accessToken
    metadata { id urn type actorUrn ownerUrn name description createdAt expiresAt }
  }
}"""
LIST = """query($i: ListAccessTokenInput!) {
  listAccessTokens(input: $i) {
    start count total tokens { id actorUrn ownerUrn name expiresAt lastUsedAt }
  }
}"""
REVOKE = "mutation($id: String!) { revokeAccessToken(tokenId: $id) }"
WHO = '{ dataset(urn: "urn:li:dataset:(urn:li:dataPlatform:kafka,x,PROD)") { urn } }'
ALICE = "urn:li:corpuser:alice"


def _create(
    gql: GraphQL,
    actor: str = ALICE,
    duration: str = "ONE_HOUR",
    token: str = ADMIN_TOKEN,
    **fields: Any,
) -> Any:
    given = {"type": "PERSONAL", "actorUrn": actor, "duration": duration, "name": "ci", **fields}
    return gql.data(CREATE, {"i": given}, token=token)["createAccessToken"]


def _status(client: TestClient, token: str) -> tuple[int, Any]:
    response = client.post(
        "/api/graphql", json={"query": WHO}, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json()


def test_a_created_token_is_returned_once_with_datahub_metadata(
    gql: GraphQL, client: TestClient, db: Database
) -> None:
    user_with_token(db, "alice", "Editor")
    before = now_ms()

    created = _create(gql, description="nightly load")

    meta = created["metadata"]
    assert created["accessToken"].startswith("dfp_")
    assert meta["urn"] == f"urn:li:dataHubAccessToken:{meta['id']}"
    assert meta["type"] == "ACCESS_TOKEN"
    assert (meta["actorUrn"], meta["ownerUrn"]) == (ALICE, "urn:li:corpuser:datahub")
    assert (meta["name"], meta["description"]) == ("ci", "nightly load")
    assert before <= meta["createdAt"] and meta["expiresAt"] == meta["createdAt"] + 3_600_000
    assert _status(client, created["accessToken"])[0] == 200
    listed = gql.data(LIST, {"i": {}})["listAccessTokens"]
    assert created["accessToken"] not in repr(listed)


def test_no_expiry_means_no_expires_at(gql: GraphQL, db: Database) -> None:
    user_with_token(db, "alice", "Editor")

    assert _create(gql, duration="NO_EXPIRY")["metadata"]["expiresAt"] is None


def test_an_expired_token_is_refused_at_once_saying_so(
    gql: GraphQL, client: TestClient, db: Database
) -> None:
    user_with_token(db, "alice", "Editor")
    created = _create(gql)
    with db.session(write=True) as session:  # the clock moves past the hour
        session.execute(
            text("UPDATE access_tokens SET expires_at = :t WHERE token_id = :id"),
            {"t": now_ms() - 1, "id": created["metadata"]["id"]},
        )

    status, body = _status(client, created["accessToken"])

    assert status == 401
    [error] = body["errors"]
    assert error["message"].startswith("Expired access token: it expired at ")
    assert error["extensions"] == {"code": 401, "type": "UNAUTHENTICATED"}


def test_a_revoked_token_is_refused_at_once(gql: GraphQL, client: TestClient, db: Database) -> None:
    token = user_with_token(db, "alice", "Editor")
    mine = gql.data(LIST, {"i": {}}, token=token)["listAccessTokens"]["tokens"][0]["id"]
    assert _status(client, token)[0] == 200

    assert gql.data(REVOKE, {"id": mine}, token=token) == {"revokeAccessToken": True}

    status, body = _status(client, token)
    assert status == 401
    assert (
        body["errors"][0]["message"] == "Invalid access token: it is unknown or has been revoked."
    )


def test_revoking_an_unknown_token_is_not_found(gql: GraphQL) -> None:
    error = gql.error(REVOKE, {"id": "nope"})

    assert error["extensions"]["code"] == 404


def test_a_disabled_users_tokens_stop_working(
    gql: GraphQL, client: TestClient, db: Database
) -> None:
    token = user_with_token(db, "alice", "Editor")
    assert _status(client, token)[0] == 200

    gql.data('mutation { updateCorpUserStatus(urn: "urn:li:corpuser:alice", status: SUSPENDED) }')

    status, body = _status(client, token)
    assert status == 401
    assert "disabled" in body["errors"][0]["message"]
    gql.data('mutation { updateCorpUserStatus(urn: "urn:li:corpuser:alice", status: ACTIVE) }')
    assert _status(client, token)[0] == 200


def test_a_user_sees_and_makes_only_their_own_tokens(gql: GraphQL, db: Database) -> None:
    alice = user_with_token(db, "alice", "Reader")
    user_with_token(db, "bob", "Editor")

    own = _create(gql, token=alice)
    listed = gql.data(LIST, {"i": {}}, token=alice)["listAccessTokens"]
    everyone = gql.data(LIST, {"i": {"start": 0, "count": 10}})["listAccessTokens"]

    assert own["metadata"]["ownerUrn"] == ALICE
    assert {t["actorUrn"] for t in listed["tokens"]} == {ALICE}
    assert listed["total"] == 2
    assert everyone["total"] == 3
    assert (everyone["start"], everyone["count"]) == (0, 10)


def test_tokens_filter_on_owner_and_actor(gql: GraphQL, db: Database) -> None:
    user_with_token(db, "alice", "Editor")
    user_with_token(db, "bob", "Editor")
    _create(gql)  # acting as alice, owned by the admin

    def ids(field: str, urn: str) -> list[str]:
        filters = [{"field": field, "values": [urn], "condition": "EQUAL"}]
        page = gql.data(LIST, {"i": {"filters": filters}})["listAccessTokens"]
        return [t["actorUrn"] for t in page["tokens"]]

    assert ids("actorUrn", ALICE) == [ALICE, ALICE]
    assert ids("ownerUrn", "urn:li:corpuser:datahub") == [ALICE]
    assert ids("ownerUrn", "urn:li:corpuser:bob") == ["urn:li:corpuser:bob"]


def test_last_use_is_recorded_at_most_once_a_minute(client: TestClient, db: Database) -> None:
    token = user_with_token(db, "alice", "Editor")

    def last_used() -> int | None:
        with db.session() as session:
            value: int | None = session.scalar(text("SELECT last_used_at FROM access_tokens"))
            return value

    assert last_used() is None
    _status(client, token)
    first = last_used()
    assert first is not None
    _status(client, token)
    assert last_used() == first  # within the minute: no write
    with db.session(write=True) as session:
        session.execute(text("UPDATE access_tokens SET last_used_at = :t"), {"t": first - 61_000})
    _status(client, token)
    assert (last_used() or 0) >= first


def test_the_service_check_refuses_what_the_endpoint_refuses(db: Database) -> None:
    token = user_with_token(db, "alice", "Editor")
    credentials = Credentials(f"Bearer {token}")
    with db.session() as session:
        found = authenticate_request(session, credentials, None, now_ms())
        assert found.caller.name == "alice"
    with db.session(write=True) as session:
        session.execute(text("UPDATE access_tokens SET expires_at = 1"))
    with db.session() as session, pytest.raises(Unauthenticated, match="Expired access token"):
        authenticate_request(session, credentials, None, now_ms())
