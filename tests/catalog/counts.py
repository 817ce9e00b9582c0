"""The search counts as kept, and as recounted from incidents, owners and removed flags."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from dataflare.catalog.models import Asset, AssetOwner, IncidentKindCount, IncidentOwnerCount
from dataflare.db.database import Database
from dataflare.incidents.models import Incident, IncidentAsset

Counts = tuple[dict[str, int], dict[tuple[str, str], int]]  # per owner, per (type, platform)


def kept(db: Database) -> Counts:
    """The maintained counts, leaving out the rows at 0 (which the search skips)."""
    with db.session() as session:
        owners = session.execute(select(IncidentOwnerCount.owner_urn, IncidentOwnerCount.assets))
        kinds = session.execute(
            select(IncidentKindCount.kind, IncidentKindCount.platform, IncidentKindCount.assets)
        )
        return (
            {owner: n for owner, n in owners if n},
            {(kind, platform): n for kind, platform, n in kinds if n},
        )


def recounted(db: Database) -> Counts:
    """The same counts from scratch: assets not removed that an ACTIVE incident names."""
    with db.session() as session:
        on_fire = set(
            session.scalars(
                select(IncidentAsset.asset_id)
                .join(Incident, Incident.id == IncidentAsset.incident_id)
                .where(Incident.state == "ACTIVE")
            )
        )
        found = {
            asset.id: asset
            for asset in session.scalars(select(Asset))
            if asset.id in on_fire and not asset.removed
        }
        owners = Counter(
            owner
            for asset_id, owner in session.execute(
                select(AssetOwner.asset_id, AssetOwner.owner_urn)
            )
            if asset_id in found
        )
    kinds = Counter((asset.kind, asset.platform) for asset in found.values())
    return dict(owners), dict(kinds)
