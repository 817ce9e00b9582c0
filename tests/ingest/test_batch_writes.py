"""A batch of metadata writes the owners and lineage it states at its end, a few statements for
them all, and before that whenever something in the batch reads them (catalog.known)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from dataflare.access.roles import ADMIN, ADMIN_USER, READER, Caller
from dataflare.catalog.models import AssetOwner, LineageEdge
from dataflare.core.errors import Forbidden
from dataflare.db.database import Database
from dataflare.incidents.models import Incident
from dataflare.ingest.apply import apply_all
from dataflare.ingest.proposals import parse_proposal
from tests.ingest.mcps import dataset, mcp, ownership, properties, upstreams
from tests.statements import statements

JDOE = "urn:li:corpuser:jdoe"
ORDERS = dataset("hive", "orders")
ADMIN_CALLER = Caller(ADMIN_USER, ADMIN)


def apply(db: Database, caller: Caller, *items: dict[str, Any]) -> list[str]:
    with db.session(write=True) as session:
        return list(apply_all(session, caller, [parse_proposal(item) for item in items]))


def three_aspects(first: int, count: int) -> list[dict[str, Any]]:
    """What an ingestion run sends for each new table: properties, an owner, two upstreams."""
    out = []
    for i in range(first, first + count):
        urn = dataset("hive", f"t{i}")
        out += [
            properties(urn, f"t{i}", "A table."),
            ownership(urn, f"urn:li:corpuser:u{i % 7}"),
            upstreams(urn, dataset("hive", f"src{i}"), dataset("hive", f"src{i + 1}")),
        ]
    return out


def sent_by_batch(db: Database, items: list[dict[str, Any]]) -> list[str]:
    with statements(db.engine) as seen:
        apply(db, ADMIN_CALLER, *items)
    return seen


def test_a_batch_sends_as_many_statements_for_ten_tables_as_for_sixty(db: Database) -> None:
    sent_by_batch(db, three_aspects(0, 5))  # the first batch also reads and fills counts
    ten = sent_by_batch(db, three_aspects(100, 10))
    sixty = sent_by_batch(db, three_aspects(200, 60))
    assert len(ten) == len(sixty)
    if db.engine.dialect.name == "postgresql":
        # Each lookup takes its keys as one array: the same text for 10 keys as for 60, so
        # psycopg converts it once and prepares it. (A multi-row INSERT's text has its rows.)
        assert _but_inserts(ten) == _but_inserts(sixty)
    with db.session() as session:
        owners = session.execute(
            select(AssetOwner.owner_urn).where(AssetOwner.owner_urn == "urn:li:corpuser:u3")
        ).all()
        edges = session.execute(select(LineageEdge.upstream_id)).all()
    tables = [*range(5), *range(100, 110), *range(200, 260)]
    assert len(owners) == sum(1 for i in tables if i % 7 == 3)
    assert len(edges) == 2 * (5 + 10 + 60)


def test_a_later_proposal_in_the_batch_sees_the_owners_stated_before_it(db: Database) -> None:
    """A reader who becomes the asset's owner earlier in the same batch may edit its
    incidents further on: the ownership is written before the right to edit is checked. (The
    ingestion endpoints take callers who may send metadata, whose roles may edit incidents
    anyway: this is the rule of the service they call. Over HTTP, an assertion's assignees
    read the same way: tests/assertions/test_automation.py.)"""
    incident = mcp(
        "urn:li:incident:batch-1",
        "incidentInfo",
        {
            "type": "FRESHNESS",
            "title": "Orders late",
            "entities": [ORDERS],
            "status": {"state": "ACTIVE"},
        },
    )
    jdoe = Caller("jdoe", READER)
    with pytest.raises(Forbidden):
        apply(db, jdoe, incident)  # no owner yet: refused, as the API refuses it
    apply(db, jdoe, ownership(ORDERS, JDOE), incident)
    with db.session() as session:
        titles = session.scalars(select(Incident.title)).all()
    assert titles == ["Orders late"]


def test_owners_and_edges_come_back_in_the_order_stated(db: Database) -> None:
    owners = ["urn:li:corpuser:zed", "urn:li:corpuser:amy", "urn:li:corpGroup:ops"]
    sources = [dataset("hive", "b"), dataset("hive", "a")]
    apply(db, ADMIN_CALLER, ownership(ORDERS, *owners), upstreams(ORDERS, *sources))
    with db.session() as session:
        stored = session.scalars(select(AssetOwner.owner_urn).order_by(AssetOwner.position))
        assert list(stored) == owners
        edges = session.execute(select(LineageEdge.origin_aspect)).scalars().all()
    assert edges == ["upstreamLineage", "upstreamLineage"]


def _but_inserts(sent: list[str]) -> list[str]:
    return [statement for statement in sent if not statement.lstrip().startswith("INSERT")]
