"""batchUpdateSoftDeleted: assets and incidents removed and restored together, all or none, by
callers with the right to; bad input refused with a 400 naming it, nothing written."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.access.helpers import user_with_token
from tests.catalog.documents import SEARCH
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import dataset, ingest, ownership, properties
from tests.ingest.test_incident_soft_delete import ACTIVITY, latest, listed

ORDERS = dataset("snowflake", "orders")
EVENTS = dataset("kafka", "events")
OWNER = "urn:li:corpuser:owner"
SOFT_DELETE = """
mutation soft($urns: [String!]!, $deleted: Boolean!) {
  batchUpdateSoftDeleted(input: {urns: $urns, deleted: $deleted})
}
"""


def _found(gql: GraphQL) -> list[str]:
    page = gql.data(SEARCH, {"input": {"query": "*"}})["searchAcrossEntities"]
    return sorted(r["entity"]["urn"] for r in page["searchResults"])


def _raise(gql: GraphQL) -> str:
    urn: str = gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ORDERS, "title": "t"}})[
        "raiseIncident"
    ]
    return urn


def test_an_asset_and_an_incident_are_removed_and_restored_together(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, properties(ORDERS, "orders"), properties(EVENTS, "events"))
    incident = _raise(gql)

    done = gql.data(SOFT_DELETE, {"urns": [EVENTS, incident], "deleted": True})

    assert done == {"batchUpdateSoftDeleted": True}
    assert _found(gql) == [ORDERS]
    assert listed(gql) == {"all": (0, []), "active": (0, [])}
    assert latest(gql) == (None, None)  # healthy: no message, no latest incident
    timeline = gql.data(ACTIVITY, {"urn": incident})["entity"]["activity"]
    assert (timeline[-1]["kind"], timeline[-1]["via"]) == ("REMOVED", None)  # not as metadata

    gql.data(SOFT_DELETE, {"urns": [EVENTS, incident], "deleted": False})
    assert _found(gql) == [EVENTS, ORDERS]
    assert listed(gql)["active"] == (1, [incident])


def test_an_owner_may_remove_incidents_on_their_asset_but_not_the_asset(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    ingest(client, ownership(ORDERS, OWNER))
    token = user_with_token(db, "owner", "Reader")
    incident = _raise(gql)

    refused = gql.error(SOFT_DELETE, {"urns": [incident, ORDERS], "deleted": True}, token=token)
    assert "Unauthorized" in refused["message"]
    assert refused["extensions"]["code"] == 403
    assert listed(gql)["active"] == (1, [incident])  # the incident's removal was rolled back

    gql.data(SOFT_DELETE, {"urns": [incident], "deleted": True}, token=token)
    assert listed(gql)["active"] == (0, [])


def test_bad_input_is_a_400_that_names_it_and_writes_nothing(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, properties(ORDERS, "orders"))
    incident = _raise(gql)
    cases: list[tuple[list[str], str | None]] = [
        ([], "from 1 to 1000 URNs are required"),
        ([incident, "urn:li:tag:pii"], "input.urns[1]: 'urn:li:tag:pii' is not an asset or an"),
        ([incident, "not a urn"], "not a urn"),
        ([incident, "urn:li:incident:nope"], "'urn:li:incident:nope' does not exist"),
        ([incident, EVENTS], f"'{EVENTS}' does not exist"),
        ([incident] * 1001 + [ORDERS], None),  # repeats count once: allowed
    ]
    for urns, message in cases:
        if message is None:
            gql.data(SOFT_DELETE, {"urns": urns, "deleted": False})
            continue
        error: Any = gql.error(SOFT_DELETE, {"urns": urns, "deleted": True})
        assert message in error["message"], (urns, error)
        assert error["extensions"] == {"code": 400, "type": "BAD_REQUEST"}
        assert listed(gql)["active"] == (1, [incident])
    too_many = [dataset("snowflake", f"t{i}") for i in range(1001)]
    error = gql.error(SOFT_DELETE, {"urns": too_many, "deleted": True})
    assert "from 1 to 1000 URNs are required" in error["message"]
