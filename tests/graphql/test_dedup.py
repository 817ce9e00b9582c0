"""dedupKey: raising a key again while its incident is active, resolving by key, reopening."""

import json

from dataflare.db.database import Database
from tests.access.helpers import user_with_token
from tests.conftest import GraphQL
from tests.graphql.documents import ACTIVITY, CHART, KAFKA, RAISE, UPDATE, UPDATE_STATUS

RESOLVE_BY_KEY = """
mutation resolve($asset: String!, $key: String!, $message: String) {
  resolveIncidentByDedupKey(resourceUrn: $asset, dedupKey: $key, message: $message)
}
"""
ACTIVE = """
query active($urn: String!) {
  dataset(urn: $urn) {
    health { status message }
    incidents(state: ACTIVE) { total incidents { urn dedupKey } }
  }
}
"""


def _raise(gql: GraphQL, key: str, asset: str = KAFKA, **more: object) -> str:
    given = {"type": "FRESHNESS", "resourceUrn": asset, "dedupKey": key, **more}
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


def test_raising_a_key_again_returns_the_active_incident_and_counts(gql: GraphQL) -> None:
    first = _raise(gql, "orders-fresh")
    second = _raise(gql, "orders-fresh", status={"state": "ACTIVE", "message": "still late"})
    third = _raise(gql, "orders-fresh")

    assert first == second == third
    active = gql.data(ACTIVE, {"urn": KAFKA})["dataset"]
    assert active["incidents"] == {
        "total": 1,
        "incidents": [{"urn": first, "dedupKey": "orders-fresh"}],
    }
    assert active["health"][0]["message"] == "1 active incident"
    timeline = gql.data(ACTIVITY, {"urn": first})["entity"]["activity"]
    assert [e["kind"] for e in timeline] == ["RAISED", "RAISED_AGAIN", "RAISED_AGAIN"]
    assert json.loads(timeline[0]["newValue"])["dedupKey"] == "orders-fresh"
    assert [json.loads(e["newValue"]) for e in timeline[1:]] == [{"count": 2}, {"count": 3}]
    assert timeline[1]["message"] == "still late"


def test_a_key_is_per_asset_and_another_key_opens_another_incident(gql: GraphQL) -> None:
    on_kafka = _raise(gql, "k")
    on_chart = _raise(gql, "k", asset=CHART)
    other_key = _raise(gql, "other")

    assert len({on_kafka, on_chart, other_key}) == 3


def test_after_resolving_the_same_key_opens_a_new_incident(gql: GraphQL) -> None:
    first = _raise(gql, "k")
    gql.data(UPDATE_STATUS, {"urn": first, "input": {"state": "RESOLVED"}})

    second = _raise(gql, "k")

    assert second != first
    assert gql.data(ACTIVE, {"urn": KAFKA})["dataset"]["incidents"]["total"] == 1


def test_resolving_by_key_closes_the_active_incident_once(gql: GraphQL) -> None:
    urn = _raise(gql, "k")
    variables = {"asset": KAFKA, "key": "k", "message": "check passes"}

    resolved = gql.data(RESOLVE_BY_KEY, variables)["resolveIncidentByDedupKey"]
    again = gql.data(RESOLVE_BY_KEY, variables)["resolveIncidentByDedupKey"]

    assert (resolved, again) == (urn, None)
    active = gql.data(ACTIVE, {"urn": KAFKA})["dataset"]
    assert active["incidents"]["total"] == 0 and active["health"][0]["status"] == "PASS"
    last = gql.data(ACTIVITY, {"urn": urn})["entity"]["activity"][-1]
    assert (last["kind"], last["newValue"], last["message"]) == (
        "STATE",
        '"RESOLVED"',
        "check passes",
    )


def test_resolving_a_key_never_raised_or_on_an_unseen_asset_answers_null(gql: GraphQL) -> None:
    _raise(gql, "k")
    unseen = "urn:li:dataset:(urn:li:dataPlatform:hive,never_seen,PROD)"

    assert gql.data(RESOLVE_BY_KEY, {"asset": KAFKA, "key": "nope"}) == {
        "resolveIncidentByDedupKey": None
    }
    assert gql.data(RESOLVE_BY_KEY, {"asset": unseen, "key": "k"}) == {
        "resolveIncidentByDedupKey": None
    }


def test_bad_keys_and_urns_are_refused_by_name(gql: GraphQL) -> None:
    blank = gql.error(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA, "dedupKey": " "}})
    long = gql.error(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA, "dedupKey": "x" * 201}})
    bad_urn = gql.error(RESOLVE_BY_KEY, {"asset": "urn:li:corpuser:jdoe", "key": "k"})

    assert blank["message"] == "dedupKey must not be blank when given."
    assert long["message"] == "dedupKey is 201 characters long; the limit is 200."
    assert "urn:li:corpuser:jdoe" in bad_urn["message"]
    assert {blank["extensions"]["code"], long["extensions"]["code"]} == {400}


def test_reopening_while_the_key_is_active_again_is_a_conflict(gql: GraphQL) -> None:
    old = _raise(gql, "k")
    gql.data(UPDATE_STATUS, {"urn": old, "input": {"state": "RESOLVED"}})
    new = _raise(gql, "k")

    reopen = gql.error(UPDATE_STATUS, {"urn": old, "input": {"state": "ACTIVE"}})

    assert reopen["extensions"] == {"code": 409, "type": "CONFLICT"}
    assert reopen["message"] == (
        f"Incident {new} is already active with dedup key 'k' on the same asset; resolve it first."
    )
    gql.data(UPDATE_STATUS, {"urn": new, "input": {"state": "RESOLVED"}})
    gql.data(UPDATE_STATUS, {"urn": old, "input": {"state": "ACTIVE"}})
    assert _raise(gql, "k") == old


def test_moving_a_keyed_incident_onto_an_asset_holding_the_key_is_a_conflict(
    gql: GraphQL,
) -> None:
    on_kafka = _raise(gql, "k")
    on_chart = _raise(gql, "k", asset=CHART)

    moved = gql.error(UPDATE, {"urn": on_chart, "input": {"resourceUrns": [CHART, KAFKA]}})

    assert moved["extensions"]["code"] == 409
    assert on_kafka in moved["message"]


def test_a_reader_may_not_resolve_by_key_and_nothing_changes(gql: GraphQL, db: Database) -> None:
    urn = _raise(gql, "k")
    reader = user_with_token(db, "reader", "Reader")

    body = gql(RESOLVE_BY_KEY, {"asset": KAFKA, "key": "k"}, token=reader)

    assert body["errors"][0]["extensions"] == {"code": 403, "type": "UNAUTHORIZED"}
    assert gql.data(ACTIVE, {"urn": KAFKA})["dataset"]["incidents"]["incidents"] == [
        {"urn": urn, "dedupKey": "k"}
    ]
