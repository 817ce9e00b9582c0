"""Users: argon2id hashes, the first admin, roles, and users made from tokens that predate them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from dataflare.access import users
from dataflare.access.roles import SERVER_SIDE
from dataflare.core.errors import InvalidInput
from dataflare.db.database import Database
from dataflare.db.migrate import alembic_config
from tests.access.helpers import PASSWORD, user_with_token
from tests.conftest import GraphQL


def test_passwords_are_argon2id_hashes_with_their_parameters(db: Database) -> None:
    with db.session(write=True) as session:
        user = users.insert_user(session, "ann", "Reader", PASSWORD)
        stored = user.password_hash or ""

    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored
    with db.session() as session:
        found = users.get_user(session, "ann")
        assert users.password_matches(found, PASSWORD)
        assert not users.password_matches(found, PASSWORD + "!")
        assert not users.password_matches(None, PASSWORD)


def test_short_passwords_are_refused(db: Database) -> None:
    with db.session(write=True) as session, pytest.raises(InvalidInput, match="at least 8"):
        users.insert_user(session, "ann", "Reader", "short")


def test_the_first_admin_gets_a_random_password_once(db: Database) -> None:
    with db.session(write=True) as session:
        first = users.ensure_admin(session, None)
    with db.session(write=True) as session:
        second = users.ensure_admin(session, None)
        admin = users.get_user(session, "datahub")

    assert first is not None and len(first) >= 20
    assert second is None
    assert admin is not None and admin.role == "Admin"
    assert users.password_matches(admin, first)


def test_a_configured_admin_password_is_used_and_not_returned(db: Database) -> None:
    with db.session(write=True) as session:
        assert users.ensure_admin(session, PASSWORD) is None
        assert users.password_matches(users.get_user(session, "datahub"), PASSWORD)


def test_the_built_in_admin_cannot_be_disabled_or_demoted(db: Database) -> None:
    with db.session(write=True) as session:
        users.ensure_admin(session, PASSWORD)
        with pytest.raises(InvalidInput):
            users.set_active(session, SERVER_SIDE, "datahub", False)
        with pytest.raises(InvalidInput):
            users.set_role(session, SERVER_SIDE, "urn:li:corpuser:datahub", "Reader")


CREATE_USER = """mutation($i: CreateUserInput!) {
  createUser(input: $i) { urn username status role }
}"""


def test_admins_manage_users_over_graphql(gql: GraphQL, db: Database) -> None:
    made = gql.data(CREATE_USER, {"i": {"username": "ann", "password": PASSWORD}})["createUser"]
    gql.data(
        'mutation { batchAssignRole(input: {roleUrn: "urn:li:dataHubRole:Editor", '
        'actors: ["urn:li:corpuser:ann"]}) }'
    )
    gql.data('mutation { updateCorpUserStatus(urn: "urn:li:corpuser:ann", status: SUSPENDED) }')
    listed = gql.data(
        '{ listUsers(input: {query: "an"}) { total users { username status role } } }'
    )["listUsers"]

    assert made == {
        "urn": "urn:li:corpuser:ann",
        "username": "ann",
        "status": "ACTIVE",
        "role": "Reader",
    }
    assert listed == {
        "total": 1,
        "users": [{"username": "ann", "status": "SUSPENDED", "role": "Editor"}],
    }
    assert PASSWORD not in repr(listed)


def test_a_duplicate_user_is_a_conflict(gql: GraphQL) -> None:
    gql.data(CREATE_USER, {"i": {"username": "ann"}})

    error = gql.error(CREATE_USER, {"i": {"username": "ann"}})

    assert (error["message"], error["extensions"]["code"]) == ("User 'ann' already exists.", 409)


def test_assignees_show_their_role_when_known(gql: GraphQL, db: Database) -> None:
    user_with_token(db, "ann", "Editor")

    found = gql.data('{ entity(urn: "urn:li:corpuser:ann") { ... on CorpUser { role status } } }')

    assert found["entity"] == {"role": "Editor", "status": "ACTIVE"}


def test_tokens_from_before_users_existed_get_users(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    shutil.copy(sqlite_template, path)
    config = alembic_config(url)
    command.downgrade(config, "0001")
    old = Database(url)
    with old.session(write=True) as session:
        for i, user in enumerate(["datahub", "jjoyce", "jjoyce"]):
            session.execute(
                text(
                    "INSERT INTO access_tokens (token_id, token_hash, user_name, name, created_at)"
                    " VALUES (:i, :h, :u, 'old', 1)"
                ),
                {"i": f"id{i}", "h": f"hash{i}", "u": user},
            )
    old.dispose()

    command.upgrade(config, "head")

    new = Database(url)
    with new.session() as session:
        rows = session.execute(text("SELECT name, role, active FROM users ORDER BY name")).all()
        owners = session.scalars(text("SELECT DISTINCT owner_name FROM access_tokens")).all()
    new.dispose()
    assert [tuple(r) for r in rows] == [("datahub", "Admin", 1), ("jjoyce", "Editor", 1)]
    assert sorted(owners) == ["datahub", "jjoyce"]
