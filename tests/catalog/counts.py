"""The search counts as kept, and as recounted from incidents, owners and removed flags: those
of the "Has Active Incidents" search, or with `visible`, those of the "*" search."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select

from dataflare.catalog.models import (
    Asset,
    AssetOwner,
    IncidentKindCount,
    IncidentOwnerCount,
    VisibleKindCount,
    VisibleOwnerCount,
)
from dataflare.db.database import Database
from dataflare.incidents.models import Incident, IncidentAsset

# per (owner, type, platform), per (type, platform)
Counts = tuple[dict[tuple[str, str, str], int], dict[tuple[str, str], int]]


def kept(db: Database, visible: bool = False) -> Counts:
    """The maintained counts, leaving out the rows at 0 (which the search skips)."""
    owned: Any = VisibleOwnerCount if visible else IncidentOwnerCount
    kind: Any = VisibleKindCount if visible else IncidentKindCount
    with db.session() as session:
        owners = session.execute(select(owned.owner_urn, owned.kind, owned.platform, owned.assets))
        kinds = session.execute(  # summed over the shards writers spread them on
            select(kind.kind, kind.platform, func.sum(kind.assets)).group_by(
                kind.kind, kind.platform
            )
        )
        return (
            {(owner, kind, platform): n for owner, kind, platform, n in owners if n},
            {(kind, platform): n for kind, platform, n in kinds if n},
        )


def recounted(db: Database, visible: bool = False) -> Counts:
    """The same counts from scratch: assets not removed (that an ACTIVE incident names)."""
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
            if (visible or asset.id in on_fire) and not asset.removed
        }
        owners = Counter(
            (owner, found[asset_id].kind, found[asset_id].platform)
            for asset_id, owner in session.execute(
                select(AssetOwner.asset_id, AssetOwner.owner_urn)
            )
            if asset_id in found
        )
    kinds = Counter((asset.kind, asset.platform) for asset in found.values())
    return dict(owners), dict(kinds)
