"""What the web tests share: a signed-in Editor (ann), and for the Incidents page three
incidents on two assets."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.access.helpers import PASSWORD, user_with_token
from tests.conftest import GraphQL
from tests.graphql.documents import CHART, KAFKA, RAISE, UPDATE_STATUS

ANN = "urn:li:corpuser:ann"


def raise_one(gql: GraphQL, resource: str, title: str, **fields: Any) -> str:
    given = {"type": "OPERATIONAL", "resourceUrn": resource, "title": title, **fields}
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


@pytest.fixture
def three(gql: GraphQL) -> dict[str, str]:
    """Loader failed (KAFKA, CRITICAL), Chart broken (CHART, LOW, resolved), Late rows (KAFKA,
    FRESHNESS, assigned to ann)."""
    loader = raise_one(gql, KAFKA, "Loader failed", priority="CRITICAL")
    chart = raise_one(gql, CHART, "Chart broken", priority="LOW")
    gql.data(UPDATE_STATUS, {"urn": chart, "input": {"state": "RESOLVED"}})
    late = raise_one(gql, KAFKA, "Late rows", type="FRESHNESS", assigneeUrns=[ANN])
    return {"loader": loader, "chart": chart, "late": late}


def sign_in(client: TestClient, user: str) -> str:
    """Sign in through the login form; return the session's CSRF token."""
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    signed_in = client.post(
        "/login",
        data={"username": user, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert csrf
    return csrf.group(1)


@pytest.fixture
def editor(client: TestClient, db: Database) -> str:
    user_with_token(db, "ann", "Editor", PASSWORD)
    return sign_in(client, "ann")
