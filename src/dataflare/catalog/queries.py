"""An asset as the API shows it: from its row when registered, from its URN when not; and the
owners of many assets, read at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSETS, VISIBLE_KIND_COUNTS, AssetOwner
from dataflare.core.urns import AssetRef


@dataclass(frozen=True)
class AssetView:
    urn: str
    kind: str
    platform: str
    name: str
    description: str | None = None
    removed: bool = False
    exists: bool = False  # registered here, rather than only named by a URN
    id: int | None = None  # the row's, when registered
    active_incidents: int = 0
    incidents_total: int = 0  # in any state

    @classmethod
    def of(cls, asset: Any) -> AssetView:
        """From an `Asset` or a row of the assets table."""
        return cls(
            asset.urn,
            asset.kind,
            asset.platform,
            asset.name,
            asset.description,
            asset.removed,
            getattr(asset, "deleted_at", None) is None,  # a hard-deleted asset does not exist
            asset.id,
            asset.active_incidents,
            asset.incidents_total,
        )

    @classmethod
    def unregistered(cls, ref: AssetRef) -> AssetView:
        return cls(ref.urn, ref.kind, ref.platform, ref.name)


def owners_of_assets(session: Session, asset_ids: Sequence[int]) -> dict[int, list[AssetOwner]]:
    """Asset id -> its owners, in order (assets without owners left out)."""
    query = (
        select(AssetOwner)
        .where(AssetOwner.asset_id.in_(asset_ids))
        .order_by(AssetOwner.asset_id, AssetOwner.position)
    )
    found: dict[int, list[AssetOwner]] = {}
    for owner in session.scalars(query):
        found.setdefault(owner.asset_id, []).append(owner)
    return found


def platforms(session: Session) -> list[str]:
    """The platforms of the assets a search can find, by name (from the kept counts)."""
    counts = VISIBLE_KIND_COUNTS.c
    query = (
        select(counts.platform)
        .group_by(counts.platform)
        .having(func.sum(counts.assets) > 0)
        .order_by(counts.platform)
    )
    return list(session.scalars(query))


def names_by_urn(session: Session, urns: Sequence[str]) -> dict[str, str]:
    """Asset URN -> its name, for the registered ones among these."""
    if not urns:
        return {}
    query = select(ASSETS.c.urn, ASSETS.c.name).where(ASSETS.c.urn.in_(list(urns)))
    return {urn: name for urn, name in session.execute(query)}


def views_by_urn(session: Session, urns: Sequence[str]) -> dict[str, AssetView]:
    """The registered assets among these URNs (at most a page of them), by URN."""
    if not urns:
        return {}
    query = select(ASSETS).where(ASSETS.c.urn.in_(list(urns)))
    return {row.urn: AssetView.of(row) for row in session.execute(query)}
