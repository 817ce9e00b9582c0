"""The figures' rollups, kept change by change, always equal a rebuild from the incidents: a long
random (seeded) sequence of every change that moves them (raises on one or several assets, with
assignees or resolved at once; acknowledging, resolving, reopening; a new priority, type or set
of assets; removal and restoration; hard deletion; owners replaced, and an asset's metadata
deleted), spread over 70 days, on both databases. Raises also come through the GraphQL API, where
PostgreSQL sends the rollups with the COMMIT. Through the same changes, each incident's links keep
a copy of its facts that the filtered figures read (incidents/links.py, COPIED)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from dataflare.access.roles import ADMIN, ADMIN_USER, Caller
from dataflare.catalog import service as catalog
from dataflare.core.clock import AS_OF
from dataflare.core.errors import Conflict
from dataflare.db.database import Database
from dataflare.incidents import deletion, removal, rollups, service
from dataflare.incidents.links import COPIED
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENT_ROLLUPS, INCIDENTS
from dataflare.incidents.rollups_rebuild import rebuild
from dataflare.incidents.rules import REMOVED
from dataflare.ingest.apply import apply_all
from dataflare.ingest.proposals import parse_proposal
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import dataset, ingest, ownership

ACTOR = "urn:li:corpuser:datahub"
ASSETS = [dataset(platform, f"t{i}") for i in range(3) for platform in ("hive", "kafka", "s3")]
OWNERS = [f"urn:li:corpuser:owner{i}" for i in range(4)] + ["urn:li:corpGroup:team"]
TYPES = ["FRESHNESS", "VOLUME", "SQL"]
PRIORITIES = ["CRITICAL", "HIGH", "LOW", None]
START = 1_767_225_600_000 - 40 * rollups.DAY_MS  # 40 days before 2026-01-01
STEPS = 260
Cells = dict[tuple[Any, ...], int]


def kept(db: Database) -> Cells:
    with db.session() as session:
        rows = session.execute(select(INCIDENT_ROLLUPS)).all()
    return {tuple(row[:-1]): row[-1] for row in rows if row[-1]}


def rebuilt(db: Database) -> Cells:
    """What a rebuild counts, in a transaction rolled back."""
    with db.engine.connect() as connection, connection.begin() as transaction:
        rebuild(connection)
        rows = connection.execute(select(INCIDENT_ROLLUPS)).all()
        transaction.rollback()
    return {tuple(row[:-1]): row[-1] for row in rows if row[-1]}


def unlike_their_incident(db: Database) -> list[Any]:
    """The links whose copy of their incident differs from it (state: REMOVED when removed)."""
    copies = [INCIDENT_ASSETS.c[name] for name in COPIED]
    originals = [INCIDENTS.c[name] for name in COPIED]
    joined = INCIDENT_ASSETS.join(INCIDENTS, INCIDENTS.c.id == INCIDENT_ASSETS.c.incident_id)
    query = select(INCIDENTS.c.removed, *copies, *originals).select_from(joined)
    with db.session() as session:
        rows = session.execute(query).all()
    unlike = []
    for removed, *both in rows:
        copy, original = both[: len(COPIED)], both[len(COPIED) :]
        if removed:
            original[COPIED.index("state")] = REMOVED
        if copy != original:
            unlike.append((copy, original))
    return unlike


class Sequence:
    def __init__(self, db: Database, gql: GraphQL, client: TestClient) -> None:
        self.db, self.gql, self.client = db, gql, client
        self.rng = random.Random(20261203)
        self.now = START
        self.incidents: list[str] = []

    def at_now(self, change: Callable[[Session], Any]) -> Any:
        """Make the change at the sequence's time; None when it is refused (a change to a
        removed incident), which must leave the rollups as they were."""
        try:
            with self.db.session(write=True) as session:
                session.info[AS_OF] = self.now
                return change(session)
        except Conflict:
            return None

    def some_assets(self) -> list[str]:
        return self.rng.sample(ASSETS, self.rng.choice([1, 1, 1, 2, 3]))

    def raise_one(self) -> str:
        rng = self.rng
        request = service.RaiseRequest(
            type=rng.choice(TYPES),
            resource_urns=self.some_assets(),
            priority=rng.choice(PRIORITIES),
            state="RESOLVED" if rng.random() < 0.1 else None,
            stage="WORK_IN_PROGRESS" if rng.random() < 0.1 else None,
            assignee_urns=[ACTOR] if rng.random() < 0.2 else None,
        )
        urn = self.at_now(lambda s: service.raise_incident(s, ACTOR, request))
        self.incidents.append(urn)
        return f"raise {request}"

    def step(self) -> str:
        rng = self.rng
        self.now += rng.randrange(0, 30 * 3_600_000)  # up to 30 hours on
        kind = rng.choice(
            ["raise"] * 4
            + ["resolve"] * 3
            + ["reopen", "acknowledge", "stage", "priority", "type", "assets"]
            + ["remove", "restore", "delete", "owners", "forget", "api raise"]
        )
        if kind == "raise" or not self.incidents:
            return self.raise_one()
        urn = rng.choice(self.incidents)
        change: dict[str, Any] = {}
        if kind in ("resolve", "reopen", "stage"):
            state = "ACTIVE" if kind != "resolve" else "RESOLVED"
            stage = "INVESTIGATION" if kind == "stage" else None
            self.at_now(lambda s: service.update_status(s, ACTOR, urn, state, stage))
            return f"{kind} {urn}"
        if kind == "acknowledge":
            change = {"assignee_urns": [rng.choice(OWNERS)]}
        elif kind == "priority":
            change = {"priority": rng.choice(PRIORITIES)}
        elif kind == "type":
            change = {"incident_type": rng.choice(TYPES)}
        elif kind == "assets":
            change = {"resource_urns": self.some_assets()}
        if change:
            self.at_now(lambda s: service.update_incident(s, ACTOR, urn, change))
            return f"update {urn} {change}"
        if kind in ("remove", "restore"):
            removed = kind == "remove"
            self.at_now(lambda s: removal.set_removed(s, ACTOR, urn, removed))
            return f"{kind} {urn}"
        if kind == "delete":
            self.at_now(lambda s: deletion.delete_incident(s, ACTOR, urn))
            self.incidents.remove(urn)
            return f"delete {urn}"
        asset = rng.choice(ASSETS)
        if kind == "owners":
            owners = rng.sample(OWNERS, rng.randint(0, 3))
            ingest(self.client, ownership(asset, *owners))
            return f"owners of {asset}: {owners}"
        if kind == "forget":
            self.at_now(lambda s: catalog.delete_asset(s, asset))
            return f"forget {asset}"
        given = {"type": "OPERATIONAL", "resourceUrns": self.some_assets(), "priority": "HIGH"}
        self.incidents.append(self.gql.data(RAISE, {"input": given})["raiseIncident"])
        return f"api raise {given}"


def test_the_rollups_equal_a_rebuild_after_every_change(
    db: Database, gql: GraphQL, client: TestClient
) -> None:
    for i, asset in enumerate(ASSETS):
        ingest(client, ownership(asset, *OWNERS[i % 3 : i % 3 + 2]))
    sequence = Sequence(db, gql, client)
    history: list[str] = []
    for _ in range(STEPS):
        history.append(sequence.step())
        assert kept(db) == rebuilt(db), "\n".join(history[-5:])
        assert not unlike_their_incident(db), "\n".join(history[-5:])

    cells = kept(db)
    dimensions = {cell[0] for cell in cells}
    assert {"A", "T", "R", "P", "O", "S"} <= dimensions
    assert {d for d in dimensions if d.startswith("TR:")}  # the type-and-priority slices
    assert {cell[1] for cell in cells} == {1, 16}  # single days and 16-day cells
    measures = {cell[4] for cell in cells}
    assert measures == {
        rollups.RAISED,
        rollups.RESOLVED,
        rollups.TO_ACKNOWLEDGE,
        rollups.TO_RESOLVE,
    }
    done = {change.split()[0] for change in history}
    assert done >= {"raise", "resolve", "reopen", "update", "remove", "restore", "delete"}
    assert done >= {"owners", "forget", "api", "stage"}
    assert sequence.now - START > 60 * rollups.DAY_MS


def test_a_rebuild_counts_each_incident_once_per_group() -> None:
    """Two assets of one platform and one owner: one incident, counted once for each."""
    facts = rollups.Facts(
        created_at=5 * rollups.DAY_MS + 1,
        resolved_at=7 * rollups.DAY_MS,
        acknowledged_at=5 * rollups.DAY_MS + 1,
        incident_type="SQL",
        priority=None,
        asset_ids=frozenset({1, 2}),
    )
    shared = rollups.AssetKeys("hive", frozenset({"urn:li:corpuser:ana"}))
    cells: Counter[Any] = Counter()
    rollups.add(cells, facts, {1: shared, 2: shared}, +1)
    assert cells["P", "hive", 1, 5, rollups.RAISED, 0] == 1
    assert cells["O", "urn:li:corpuser:ana", 16, 0, rollups.RESOLVED, 0] == 1
    assert (
        cells[
            "R", rollups.NO_PRIORITY, 1, 7, rollups.TO_RESOLVE, rollups.bucket(2 * 86_400_000 - 1)
        ]
        == 1
    )
    assert cells["A", "", 1, 5, rollups.TO_ACKNOWLEDGE, 0] == 1  # acknowledged at once
    assert cells["S", "1", 1, 5, rollups.RAISED, 0] == cells["S", "2", 1, 5, rollups.RAISED, 0] == 1


def test_a_bucket_stands_for_its_durations_within_the_relative_error() -> None:
    for duration in [1, 2, 999, 1_000, 60_000, 3_600_000, 86_400_000, 30 * 86_400_000, 10**12]:
        given = rollups.value(rollups.bucket(duration))
        assert abs(given - duration) <= rollups.RELATIVE_ERROR * duration + 0.5, duration
    assert rollups.bucket(0) == rollups.bucket(-5) == 0 and rollups.value(0) == 0
    assert rollups.bucket(1_000) < rollups.bucket(1_051)  # 5% wider each


def test_a_batch_writes_the_cells_it_moves_once_at_its_end(
    client: TestClient, gql: GraphQL, db: Database, database_url: str
) -> None:
    """An ingested batch sums the cells its changes move and writes them last, in key order:
    written change by change, they were locked in several runs of that order, and a raise
    taking the same cells could wait for the batch while holding one the batch waits for."""
    first, second = ASSETS[0], ASSETS[1]
    ingest(client, ownership(first, OWNERS[0]), ownership(second, OWNERS[0]))
    for asset in (first, second):
        gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": asset}})
    before = kept(db)
    moved = [ownership(first, OWNERS[1]), ownership(second, OWNERS[2])]
    with db.session(write=True) as session:
        apply_all(session, Caller(ADMIN_USER, ADMIN), [parse_proposal(m) for m in moved])
        assert kept(db) == before  # another transaction sees no cell moved yet
        if database_url.startswith("postgresql"):
            with db.engine.connect() as other:  # nor does the batch hold any of them
                locked = text(
                    "SELECT count(*) FROM (SELECT 1 FROM incident_rollups FOR UPDATE NOWAIT) c"
                )
                assert other.execute(locked).scalar_one() > 0
                other.rollback()
    after = kept(db)
    assert after == rebuilt(db)
    owners = {key[3] for key in after if key[0] == rollups.OWNER}
    assert owners == {OWNERS[1], OWNERS[2]}
