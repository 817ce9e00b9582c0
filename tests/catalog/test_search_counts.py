"""The counts behind the "Has Active Incidents" and "*" searches always equal a recount: after
each step of a long random (seeded) sequence of raises (registering new assets), resolves,
reopenings, incident asset changes, owner changes, soft deletes, restores and deletes, through
the API and the ingestion endpoints. And the searches they serve answer exactly as the general
search does."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from alembic import command
from sqlalchemy import func, select
from starlette.testclient import TestClient

from dataflare.catalog import search_counts
from dataflare.catalog.models import IncidentKindCount
from dataflare.catalog.service import set_owners, set_removed
from dataflare.db.database import Database
from dataflare.db.migrate import alembic_config
from dataflare.incidents.service import RaiseRequest, raise_incident
from tests.catalog.counts import kept, recounted
from tests.catalog.documents import SEARCH
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE, UPDATE, UPDATE_STATUS
from tests.ingest.mcps import AUTH, BATCH, DELETE, dataset, ingest, mcp, ownership

ASSETS = [
    *(dataset("hive", f"table_{i}") for i in range(3)),
    dataset("kafka", "Events"),
    dataset("kafka", "clicks"),
    "urn:li:chart:(looker,look.1)",
    *(dataset("s3", f"bucket_{i}") for i in range(3)),
]
OWNERS = [*(f"urn:li:corpuser:user{i}" for i in range(4)), "urn:li:corpGroup:data-platform"]
STEPS = 250
# Each agreement check is 28 searches: done every few steps (and after the last), the counts
# themselves after every step.
AGREEMENT_EVERY = 5
CHANGES = ["raise", "raise", "resolve", "reopen", "assets", "owners", "status", "delete", "batch"]
WITH_INCIDENTS = {"field": "hasActiveIncidents", "values": ["true"]}
WITHOUT_INCIDENTS = {"field": "hasActiveIncidents", "values": ["false"]}
DATASETS = {"field": "_entityType", "values": ["DATASET"]}
ON_HIVE = {"field": "platform", "values": ["urn:li:dataPlatform:hive", "kafka"]}
# Searches the counts answer alone (the general search answers each with EVERY_TYPE added).
COUNTED = [
    [WITH_INCIDENTS],
    [WITHOUT_INCIDENTS],
    [],
    [DATASETS],
    [ON_HIVE],
    [WITH_INCIDENTS, ON_HIVE],
    [WITHOUT_INCIDENTS, DATASETS, ON_HIVE],
]
# The same filter with a condition that changes nothing: the general search answers it.
EVERY_TYPE = {"field": "_entityType", "values": [], "condition": "EXISTS"}


def searched(gql: GraphQL, *criteria: dict[str, Any], start: int, count: int) -> Any:
    given: dict[str, Any] = {"query": "*", "start": start, "count": count}
    if criteria:
        given["orFilters"] = [{"and": criteria}]
    return gql.data(SEARCH, {"input": given})["searchAcrossEntities"]


def assert_search_agrees(gql: GraphQL) -> None:
    for start, count in ((0, 100), (1, 2)):
        for counted in COUNTED:
            fast = searched(gql, *counted, start=start, count=count)
            general = searched(gql, *counted, EVERY_TYPE, start=start, count=count)
            assert fast == general


class Steps:
    """Random changes through the API and the ingestion endpoints."""

    def __init__(self, client: TestClient, gql: GraphQL, seed: int) -> None:
        self.client, self.gql, self.rng = client, gql, random.Random(seed)
        self.incidents: list[str] = []
        self.named = 0

    def some(self, population: list[str], least: int = 1) -> list[str]:
        return self.rng.sample(population, self.rng.randint(least, 3))

    def owners(self, urn: str) -> dict[str, Any]:
        return ownership(urn, *self.some(OWNERS, least=0))

    def status(self, urn: str) -> dict[str, Any]:
        return mcp(urn, "status", {"removed": self.rng.random() < 0.5})

    def incident_info(self) -> dict[str, Any]:
        """An incident as metadata: a new one, or a change to one sent before."""
        if self.named and self.rng.random() < 0.5:
            name = f"urn:li:incident:meta-{self.rng.randrange(self.named)}"
        else:
            name, self.named = f"urn:li:incident:meta-{self.named}", self.named + 1
        state = self.rng.choice(["ACTIVE", "RESOLVED"])
        value = {"type": "SQL", "entities": self.some(ASSETS), "status": {"state": state}}
        return mcp(name, "incidentInfo", value)

    def run(self) -> str:
        """Apply one random change; describe it."""
        kind = self.rng.choice(CHANGES)
        if kind == "raise" or not self.incidents:
            given: dict[str, Any] = {"type": "SQL", "resourceUrns": self.some(ASSETS)}
            if self.rng.random() < 0.2:
                given["status"] = {"state": "RESOLVED"}
            self.incidents.append(self.gql.data(RAISE, {"input": given})["raiseIncident"])
            return f"raise {given}"
        urn = self.rng.choice(self.incidents)
        asset = self.rng.choice(ASSETS)
        if kind in ("resolve", "reopen"):
            state = "RESOLVED" if kind == "resolve" else "ACTIVE"
            self.gql.data(UPDATE_STATUS, {"urn": urn, "input": {"state": state}})
            return f"{kind} {urn}"
        if kind == "assets":
            assets = self.some(ASSETS)
            self.gql.data(UPDATE, {"urn": urn, "input": {"resourceUrns": assets}})
            return f"updateIncident {urn} resourceUrns={assets}"
        if kind == "delete":
            response = self.client.post(DELETE, json={"urn": asset}, headers=AUTH)
            assert response.status_code == 200, response.text
            return f"delete {asset}"
        if kind == "batch":  # several changes to the same assets in one transaction
            batch = [self.owners(asset), self.status(asset), self.incident_info()]
            batch += [self.status(asset), self.owners(self.rng.choice(ASSETS))]
            ingest(self.client, *self.rng.sample(batch, len(batch)))
            return f"batch {batch}"
        proposal = self.owners(asset) if kind == "owners" else self.status(asset)
        ingest(self.client, proposal)
        return f"{kind} {proposal}"


def test_counts_equal_a_recount_after_every_change(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    steps = Steps(client, gql, seed=20261201)
    history: list[str] = []
    sizes = set()

    for number in range(1, STEPS + 1):
        history.append(steps.run())

        counts = recounted(db)
        assert kept(db) == counts, "\n".join(history[-5:])
        assert kept(db, visible=True) == recounted(db, visible=True), "\n".join(history[-5:])
        sizes.add(min(sum(counts[1].values()), 4))
        if number % AGREEMENT_EVERY == 0:
            assert_search_agrees(gql)

    assert sizes == {0, 1, 2, 3, 4}  # from nothing on fire to most of the catalog
    assert {step.split()[0] for step in history} == set(CHANGES) - {"assets"} | {"updateIncident"}


def test_searches_sum_the_shards_writers_spread_the_counts_on(
    client: TestClient, gql: GraphQL, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One test thread would write every count to one shard: take the next shard each write.
    shards = itertools.cycle(range(search_counts.KIND_COUNT_SHARDS))
    monkeypatch.setattr(search_counts, "_shard", lambda: next(shards))
    steps = Steps(client, gql, seed=20261130)
    for number in range(1, STEPS // 3 + 1):
        step = steps.run()
        assert kept(db) == recounted(db), step
        if number % AGREEMENT_EVERY == 0:
            assert_search_agrees(gql)
    assert_search_agrees(gql)
    with db.session() as session:
        used = session.scalars(select(func.count(func.distinct(IncidentKindCount.shard))))
        assert used.one() > 1


def test_a_failed_batch_leaves_the_counts_as_they_were(
    client: TestClient, gql: GraphQL, db: Database
) -> None:
    ingest(client, ownership(ASSETS[0], OWNERS[0]))
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ASSETS[0]}})
    before = kept(db)

    response = client.post(
        BATCH,
        json={
            "proposals": [
                ownership(ASSETS[0], OWNERS[1]),
                mcp(ASSETS[0], "status", {"removed": "yes"}),
            ]
        },
        headers=AUTH,
    )

    assert response.status_code == 400, response.text
    assert kept(db) == before == recounted(db)
    assert before == ({(OWNERS[0], "dataset", "hive"): 1}, {("dataset", "hive"): 1})
    assert kept(db, visible=True) == recounted(db, visible=True) == before


def test_a_savepoint_rolled_back_takes_its_count_changes_with_it(db: Database) -> None:
    actor = "urn:li:corpuser:datahub"
    with db.session(write=True) as session:
        set_owners(session, ASSETS[0], [(OWNERS[0], "")])
        set_owners(session, ASSETS[1], [(OWNERS[1], "")])
        with pytest.raises(RuntimeError), session.begin_nested():
            raise_incident(session, actor, RaiseRequest(type="SQL", resource_urn=ASSETS[0]))
            raise RuntimeError("the mutation failed")
        with session.begin_nested():
            raise_incident(session, actor, RaiseRequest(type="SQL", resource_urn=ASSETS[1]))

    assert (
        kept(db) == recounted(db) == ({(OWNERS[1], "dataset", "hive"): 1}, {("dataset", "hive"): 1})
    )
    visible = (
        {(OWNERS[0], "dataset", "hive"): 1, (OWNERS[1], "dataset", "hive"): 1},
        {("dataset", "hive"): 2},
    )
    assert kept(db, visible=True) == recounted(db, visible=True) == visible


def test_the_migration_counts_what_was_there(
    client: TestClient, gql: GraphQL, db: Database, database_url: str
) -> None:
    steps = Steps(client, gql, seed=7)
    for _ in range(40):
        steps.run()
    expected = recounted(db)
    visible = recounted(db, visible=True)
    db.dispose()
    config = alembic_config(database_url)

    command.downgrade(config, "0003_catalog")
    command.upgrade(config, "head")

    assert kept(db) == expected
    assert kept(db, visible=True) == visible
    assert sum(expected[1].values()) > 0


def test_changes_undone_by_a_savepoint_leave_the_first_state_to_count_from(db: Database) -> None:
    actor = "urn:li:corpuser:datahub"
    with db.session(write=True) as session:
        set_owners(session, ASSETS[0], [(OWNERS[0], "")])
        raise_incident(session, actor, RaiseRequest(type="SQL", resource_urn=ASSETS[0]))
    with db.session(write=True) as session:
        with pytest.raises(RuntimeError), session.begin_nested():
            set_owners(session, ASSETS[0], [(OWNERS[1], "")])
            set_removed(session, ASSETS[0], True)
            raise RuntimeError("the batch failed")
        set_owners(session, ASSETS[0], [(OWNERS[2], "")])

    assert (
        kept(db) == recounted(db) == ({(OWNERS[2], "dataset", "hive"): 1}, {("dataset", "hive"): 1})
    )
    assert kept(db, visible=True) == recounted(db, visible=True) == kept(db)
