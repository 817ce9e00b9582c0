"""An asset as the API shows it: from its row when registered, from its URN when not."""

from __future__ import annotations

from dataclasses import dataclass

from dataflare.catalog.models import Asset
from dataflare.urns import AssetRef


@dataclass(frozen=True)
class AssetView:
    urn: str
    kind: str
    platform: str
    name: str
    description: str | None = None
    removed: bool = False
    exists: bool = False  # registered here, rather than only named by a URN

    @classmethod
    def of(cls, asset: Asset) -> AssetView:
        return cls(
            asset.urn,
            asset.kind,
            asset.platform,
            asset.name,
            asset.description,
            asset.removed,
            exists=True,
        )

    @classmethod
    def unregistered(cls, ref: AssetRef) -> AssetView:
        return cls(ref.urn, ref.kind, ref.platform, ref.name)
