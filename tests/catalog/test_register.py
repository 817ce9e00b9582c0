"""Registering assets that a batch found missing (catalog.service.register): those another
writer registered in between come back with the ids that writer gave them."""

from __future__ import annotations

from sqlalchemy import func, select

from dataflare.catalog.models import Asset
from dataflare.catalog.service import register
from dataflare.core.urns import parse_asset
from dataflare.db.database import Database

URNS = [f"urn:li:dataset:(urn:li:dataPlatform:hive,t{i},PROD)" for i in range(3)]


def test_assets_another_writer_registered_meanwhile_keep_their_ids(db: Database) -> None:
    with db.session(write=True) as other_writer:  # committed between the look and the insert
        theirs = register(other_writer, [parse_asset(URNS[1])])
    with db.session(write=True) as session:
        ids = register(session, [parse_asset(urn) for urn in URNS])
    assert sorted(ids) == sorted(URNS)
    assert ids[URNS[1]] == theirs[URNS[1]]
    assert len(set(ids.values())) == 3
    with db.session() as session:
        stored: dict[str, int] = dict(session.execute(select(Asset.urn, Asset.id)).all())
        assert stored == ids
        assert session.scalar(select(func.count()).select_from(Asset)) == 3
