"""On PostgreSQL, a raise on one known asset that is the whole request sends its links, its first
timeline entry, its outbox event, its asset's summary update, the search counts it moves and the
figures' rollups with the COMMIT, in one round trip (db/commit.end_with): the asset's row, which
concurrent raises queue on, is held for no round trip. The values are bound in the text there, and
the counts decided in SQL: both must come out right, on both databases."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.catalog.counts import kept, recounted
from tests.conftest import GraphQL
from tests.graphql.documents import ACTIVITY, INCIDENT, RAISE, UPDATE_STATUS
from tests.ingest.mcps import dataset, ingest, ownership
from tests.statements import statements

OWNED = dataset("hive", "orders")
OWNERS = ["urn:li:corpuser:ana", "urn:li:corpGroup:data-platform"]
TWO_RAISES = """
mutation {
  first: raiseIncident(input: {type: FRESHNESS, resourceUrn: "%s"})
  second: raiseIncident(input: {type: OPERATIONAL, resourceUrn: "%s"})
}
"""
HEALTH = 'query { dataset(urn: "%s") { health { type status } } }'


def _with_commit(sent: list[str]) -> list[str]:
    return [statement for statement in sent if statement.rstrip().endswith("COMMIT")]


def _raise(gql: GraphQL, db: Database, urn: str) -> list[str]:
    with statements(db.engine) as sent:
        gql.data(RAISE, {"input": {"type": "FRESHNESS", "resourceUrn": urn}})
    return sent


def test_raises_on_an_owned_asset_count_as_a_recount_does(
    client: TestClient, gql: GraphQL, db: Database, database_url: str
) -> None:
    ingest(client, ownership(OWNED, *OWNERS))
    sent = _raise(gql, db, OWNED)  # healthy -> unhealthy: its owners and its kind count it
    assert kept(db) == recounted(db)
    assert kept(db)[0] == {(owner, "dataset", "hive"): 1 for owner in OWNERS}
    again = _raise(gql, db, OWNED)  # still unhealthy: the counts stay
    assert kept(db) == recounted(db)

    postgres = database_url.startswith("postgresql")
    for each in (sent, again):
        ridden = _with_commit(each)
        assert len(ridden) == (1 if postgres else 0), ridden
        if postgres:
            # The asset's id, the incident, the asset's platform and owners (what the figures'
            # rollups count it under), then the rest with the COMMIT.
            assert len(each) == 4 and each[-1] == ridden[0]
            together = [
                "INSERT INTO incident_assets",
                "INSERT INTO incident_activity",
                "INSERT INTO notification_events",
                "UPDATE assets SET active_incidents",
                "INSERT INTO incident_kind_counts",
                "INSERT INTO incident_owner_counts",
                "INSERT INTO incident_rollups",
            ]
            places = [ridden[0].index(statement) for statement in together]
            assert places == sorted(places)
    health = gql.data(HEALTH % OWNED)["dataset"]["health"]
    assert {"type": "INCIDENTS", "status": "FAIL"} in health


def test_resolving_after_a_raise_sent_with_the_commit_counts_it_out(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    ingest(client, ownership(OWNED, *OWNERS))
    raised = [
        gql.data(RAISE, {"input": {"type": "FRESHNESS", "resourceUrn": OWNED}})["raiseIncident"]
        for _ in range(2)
    ]
    gql.data(UPDATE_STATUS, {"urn": raised[0], "input": {"state": "RESOLVED"}})
    assert kept(db) == recounted(db)
    assert kept(db)[0] == {(owner, "dataset", "hive"): 1 for owner in OWNERS}  # one still open
    gql.data(UPDATE_STATUS, {"urn": raised[1], "input": {"state": "RESOLVED"}})
    assert kept(db) == recounted(db) == ({}, {})


def test_several_raises_in_one_document_take_the_usual_way(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    ingest(client, ownership(OWNED, *OWNERS))
    with statements(db.engine) as sent:
        gql.data(TWO_RAISES % (OWNED, OWNED))
    assert _with_commit(sent) == []  # each mutation in a savepoint: nothing rides the COMMIT
    assert kept(db) == recounted(db)


def test_a_new_asset_takes_the_usual_way(gql: GraphQL, db: Database) -> None:
    sent = _raise(gql, db, dataset("kafka", "clicks"))  # registered: counted in Python
    assert _with_commit(sent) == []
    assert kept(db) == recounted(db)
    assert kept(db)[1] == {("dataset", "kafka"): 1}


def test_text_bound_in_the_statement_comes_back_as_sent(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    ingest(client, ownership(OWNED, *OWNERS))
    gql.data(RAISE, {"input": {"type": "FRESHNESS", "resourceUrn": OWNED}})
    text = "it's late; COMMIT; DROP TABLE assets; -- \\ %(asset_id)s %s $1 \u00e9\u6f22 \U0001f525"
    given = {
        "type": "CUSTOM",
        "customType": text[:40],
        "title": text,
        "description": text,
        "resourceUrn": OWNED,
        "status": {"state": "ACTIVE", "message": text},
    }
    urn = gql.data(RAISE, {"input": given})["raiseIncident"]
    incident = gql.data(INCIDENT, {"urn": urn})["entity"]
    assert (incident["title"], incident["description"]) == (text, text)
    assert incident["status"]["message"] == text
    (raised,) = gql.data(ACTIVITY, {"urn": urn})["entity"]["activity"]
    assert raised["message"] == text and json.loads(raised["newValue"])["title"] == text
    assert kept(db) == recounted(db)
