"""A batch of metadata registers the assets it names up front, in a few statements for all
(catalog.service.known_assets), and still reports what each proposal changed as if each had
done its own work: registering an asset is a change of the first proposal that uses it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from dataflare.access.roles import ADMIN, ADMIN_USER, Caller
from dataflare.catalog.models import Asset, AssetOwner, LineageEdge
from dataflare.core.errors import InvalidInput
from dataflare.db.database import Database
from dataflare.ingest.apply import Outcome, apply_all
from dataflare.ingest.proposals import parse_proposal
from tests.ingest.mcps import dataset, mcp, ownership, upstreams

ORDERS, EVENTS, CLICKS = dataset("hive", "orders"), dataset("kafka", "events"), dataset("s3", "c")
JDOE = "urn:li:corpuser:jdoe"
CALLER = Caller(ADMIN_USER, ADMIN)


def apply(db: Database, *items: dict[str, Any]) -> list[Outcome]:
    with db.session(write=True) as session:
        return apply_all(session, CALLER, [parse_proposal(item) for item in items])


def test_each_new_asset_is_reported_new_once_by_its_first_use(db: Database) -> None:
    outcomes = apply(
        db,
        ownership(ORDERS),  # no owners: only the registration changes something
        ownership(ORDERS),  # the asset exists by now: nothing to change
        upstreams(EVENTS, CLICKS),  # registers both
        ownership(CLICKS),  # registered by the lineage before it, but its first ownership kept
        mcp(CLICKS, "browsePathsV2", {"path": []}),  # not Dataflare's: registers nothing
        mcp(dataset("s3", "never"), "browsePathsV2", {"path": []}),
    )
    assert outcomes == ["changed", "unchanged", "changed", "changed", "ignored", "ignored"]
    with db.session() as session:
        urns = set(session.scalars(select(Asset.urn)))
    assert urns == {ORDERS, EVENTS, CLICKS}


def test_a_batch_naming_an_asset_twice_keeps_the_last_word(db: Database) -> None:
    outcomes = apply(
        db,
        ownership(ORDERS, JDOE),
        upstreams(ORDERS, EVENTS, CLICKS),
        ownership(ORDERS, "urn:li:corpuser:ann", JDOE),
        upstreams(ORDERS, CLICKS),
        upstreams(ORDERS, CLICKS),
    )
    assert outcomes == ["changed", "changed", "changed", "changed", "unchanged"]
    with db.session() as session:
        owners = session.scalars(select(AssetOwner.owner_urn).order_by(AssetOwner.position))
        assert list(owners) == ["urn:li:corpuser:ann", JDOE]
        assert session.scalar(select(func.count()).select_from(LineageEdge)) == 1
    again = apply(db, ownership(ORDERS, "urn:li:corpuser:ann", JDOE), upstreams(ORDERS, CLICKS))
    assert again == ["unchanged", "unchanged"]


def test_a_bad_proposal_late_in_a_batch_leaves_no_asset_registered(db: Database) -> None:
    bad = mcp(CLICKS, "status", {"removed": "yes"})
    with pytest.raises(InvalidInput, match=r"aspect\.removed: true or false is required"):
        apply(db, ownership(ORDERS, JDOE), upstreams(EVENTS, CLICKS), bad)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Asset)) == 0


def test_a_delete_in_the_middle_of_a_batch_is_seen_by_the_proposals_after_it(
    db: Database,
) -> None:
    deleted = {**ownership(ORDERS), "changeType": "DELETE"}
    outcomes = apply(
        db,
        ownership(ORDERS, JDOE),
        upstreams(EVENTS, ORDERS),
        deleted,  # takes ORDERS' owners and every edge naming it
        ownership(ORDERS, JDOE),
        upstreams(EVENTS, ORDERS),
    )
    assert outcomes == ["changed", "changed", "changed", "changed", "changed"]
    with db.session() as session:
        assert list(session.scalars(select(AssetOwner.owner_urn))) == [JDOE]
        assert session.scalar(select(func.count()).select_from(LineageEdge)) == 1


def test_a_delete_before_a_new_assets_first_use_finds_nothing_to_delete(db: Database) -> None:
    deleted = {**ownership(ORDERS), "changeType": "DELETE"}
    outcomes = apply(db, deleted, ownership(ORDERS, JDOE))
    assert outcomes == ["unchanged", "changed"]
    with db.session() as session:
        assert session.scalars(select(Asset.removed).where(Asset.urn == ORDERS)).all() == [False]
