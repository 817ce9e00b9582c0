"""What the web tests of the Incidents page share: three incidents on two assets."""

from __future__ import annotations

from typing import Any

import pytest

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
