"""Catalog rules: registering and finding assets."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataflare.catalog.models import Asset
from dataflare.clock import now_ms
from dataflare.errors import InvalidInput
from dataflare.urns import AssetRef, parse_asset


def get_asset(session: Session, urn: str) -> Asset | None:
    return session.scalars(select(Asset).where(Asset.urn == urn)).one_or_none()


def ensure_assets(session: Session, refs: list[AssetRef]) -> list[Asset]:
    """Register the assets not seen before (safe under concurrent writers); return all, in order."""
    values = [
        {
            "urn": r.urn,
            "kind": r.kind,
            "platform": r.platform,
            "name": r.name,
            "created_at": now_ms(),
        }
        for r in refs
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(Asset).values(values).on_conflict_do_nothing(index_elements=["urn"]))
    found = {
        a.urn: a for a in session.scalars(select(Asset).where(Asset.urn.in_(r.urn for r in refs)))
    }
    return [found[r.urn] for r in refs]


def view(session: Session, urn: str, kind: str) -> AssetRef:
    """An asset as the API shows it. Reads are lenient: an asset never seen, or one whose URN
    is malformed but of the right kind (the seed's `urn:li:dataset:(abc)`), reads as an asset
    with no incidents rather than an error."""
    asset = get_asset(session, urn)
    if asset is not None:
        return AssetRef(asset.urn, asset.kind, asset.platform, asset.name)
    try:
        return parse_asset(urn)
    except InvalidInput:
        key = urn.split(":", 3)[3] if urn.count(":") >= 3 else urn
        return AssetRef(urn, kind, "unknown", key)
