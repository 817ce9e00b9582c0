"""Each asset's active-incident summary and its number of incidents in any state, kept up to
date change by change, always equal what recomputing them from the incidents gives: a long
random (seeded) sequence of changes."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from dataflare.catalog.models import Asset
from dataflare.db.database import Database
from dataflare.incidents.models import Incident, IncidentAsset
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE, UPDATE, UPDATE_STATUS

ASSETS = [f"urn:li:dataset:(urn:li:dataPlatform:hive,table_{i},PROD)" for i in range(4)]
FIELDS = (
    "urn health { status activeIncidentHealthDetails { count latestIncidentUrn } } "
    "incidents(start: 0, count: 1) { total }"
)
ALIASES = " ".join(f'a{i}: dataset(urn: "{urn}") {{ {FIELDS} }}' for i, urn in enumerate(ASSETS))
HEALTHS = "query healths { " + ALIASES + " }"
STEPS = 300
Health = tuple[str, int, str | None]  # status, active count, latest active incident


def recomputed(db: Database) -> dict[str, Health]:
    """Each asset's health from the incidents table alone."""
    with db.session() as session:
        rows = session.execute(
            select(Asset.urn, Incident.urn)
            .join(IncidentAsset, IncidentAsset.asset_id == Asset.id)
            .join(Incident, Incident.id == IncidentAsset.incident_id)
            .where(Incident.state == "ACTIVE")
            .order_by(Incident.created_at.desc(), Incident.id.desc())
        ).all()
    active: dict[str, list[str]] = {urn: [] for urn in ASSETS}
    for asset_urn, incident_urn in rows:
        active[asset_urn].append(incident_urn)
    return {
        urn: ("FAIL", len(found), found[0]) if found else ("PASS", 0, None)
        for urn, found in active.items()
    }


def totals_recounted(db: Database) -> dict[str, int]:
    """How many incidents, in any state, name each asset."""
    with db.session() as session:
        rows = session.execute(
            select(Asset.urn).join(IncidentAsset, IncidentAsset.asset_id == Asset.id)
        ).all()
    totals = dict.fromkeys(ASSETS, 0)
    for (urn,) in rows:
        totals[urn] += 1
    return totals


def totals_reported(gql: GraphQL) -> dict[str, int]:
    return {asset["urn"]: asset["incidents"]["total"] for asset in gql.data(HEALTHS).values()}


def reported(gql: GraphQL) -> dict[str, Health]:
    """Each asset's health as the API reports it."""
    answer = gql.data(HEALTHS)
    healths = {}
    for asset in answer.values():
        [health] = asset["health"]
        details = health["activeIncidentHealthDetails"]
        healths[asset["urn"]] = (
            health["status"],
            details["count"] if details else 0,
            details["latestIncidentUrn"] if details else None,
        )
    return healths


def some_assets(rng: random.Random) -> list[str]:
    return rng.sample(ASSETS, rng.randint(1, 3))


def random_change(gql: GraphQL, rng: random.Random, incidents: list[str]) -> str:
    """Apply one random change through the API; describe it."""
    kind = rng.choice(["raise", "raise", "resolve", "reopen", "assets", "status"])
    if kind == "raise" or not incidents:
        given: dict[str, Any] = {"type": "SQL", "resourceUrns": some_assets(rng)}
        if rng.random() < 0.2:
            given["status"] = {"state": "RESOLVED"}
        incidents.append(gql.data(RAISE, {"input": given})["raiseIncident"])
        return f"raise {given}"
    urn = rng.choice(incidents)
    if kind in ("resolve", "reopen"):
        state = "RESOLVED" if kind == "resolve" else "ACTIVE"
        gql.data(UPDATE_STATUS, {"urn": urn, "input": {"state": state}})
        return f"{kind} {urn}"
    if kind == "assets":
        assets = some_assets(rng)
        gql.data(UPDATE, {"urn": urn, "input": {"resourceUrns": assets}})
        return f"updateIncident {urn} resourceUrns={assets}"
    state = rng.choice(["ACTIVE", "RESOLVED"])
    gql.data(UPDATE, {"urn": urn, "input": {"status": {"state": state}}})
    return f"updateIncident {urn} status={state}"


def test_health_equals_a_recomputation_after_every_change(gql: GraphQL, db: Database) -> None:
    rng = random.Random(20261126)
    incidents: list[str] = []
    history: list[str] = []

    seen: set[tuple[str, int]] = set()

    for _ in range(STEPS):
        history.append(random_change(gql, rng, incidents))

        now = reported(gql)
        assert now == recomputed(db), "\n".join(history[-5:])
        assert totals_reported(gql) == totals_recounted(db), "\n".join(history[-5:])
        seen.update((status, min(count, 2)) for status, count, _ in now.values())

    assert seen == {("PASS", 0), ("FAIL", 1), ("FAIL", 2)}  # the sequence went everywhere
    assert {change.split()[0] for change in history} == {
        "raise",
        "resolve",
        "reopen",
        "updateIncident",
    }
