"""Walking lineage: which assets are upstream or downstream of one, and how many hops away."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataflare.catalog.models import Asset, LineageEdge
from dataflare.core.limits import MAX_LINEAGE_HOPS, MAX_LINEAGE_RESULTS

UPSTREAM = "UPSTREAM"
DOWNSTREAM = "DOWNSTREAM"
_BATCH = 500  # ids per IN (...) list


def walk(
    session: Session, urn: str, direction: str, max_depth: int = MAX_LINEAGE_HOPS
) -> dict[int, int]:
    """Asset id -> degree (hops from `urn`) for the assets reachable in `direction`, breadth
    first, each at its shortest distance; the start asset itself is left out. At most
    `max_depth` hops and MAX_LINEAGE_RESULTS assets (the nearest) are walked."""
    start = session.scalar(select(Asset.id).where(Asset.urn == urn))
    if start is None:
        return {}
    if direction == UPSTREAM:
        near, far = LineageEdge.downstream_id, LineageEdge.upstream_id
    else:
        near, far = LineageEdge.upstream_id, LineageEdge.downstream_id
    degrees: dict[int, int] = {}
    frontier = {start}
    depth = 0
    while frontier and depth < max_depth and len(degrees) < MAX_LINEAGE_RESULTS:
        depth += 1
        found: set[int] = set()
        ids = sorted(frontier)
        for i in range(0, len(ids), _BATCH):
            found.update(session.scalars(select(far).where(near.in_(ids[i : i + _BATCH]))))
        new = sorted(
            asset_id for asset_id in found if asset_id not in degrees and asset_id != start
        )
        frontier = set(new[: MAX_LINEAGE_RESULTS - len(degrees)])
        for asset_id in frontier:
            degrees[asset_id] = depth
    return degrees


def neighbours(session: Session, urn: str, direction: str) -> list[Asset]:
    """The assets one hop away, by name."""
    ids = walk(session, urn, direction, max_depth=1)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Asset).where(Asset.id.in_(ids)).order_by(func.lower(Asset.name), Asset.id)
        )
    )
