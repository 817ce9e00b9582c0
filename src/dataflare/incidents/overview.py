"""Small reads the pages show everywhere: how many incidents are active in all, and the most
urgent priority among each asset's active incidents."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS

# From the state index: a count of the active entries, not a read of the incidents.
_ACTIVE_TOTAL = select(func.count()).select_from(INCIDENTS).where(INCIDENTS.c.state == "ACTIVE")
_LINKS = INCIDENT_ASSETS.c
# 0 is CRITICAL: the smallest number is the most urgent.
_HIGHEST = (
    select(_LINKS.asset_id, func.min(INCIDENTS.c.priority))
    .join(INCIDENTS, INCIDENTS.c.id == _LINKS.incident_id)
    .where(_LINKS.asset_id.in_(bindparam("ids", expanding=True)), _LINKS.state == "ACTIVE")
    .group_by(_LINKS.asset_id)
)


def active_total(session: Session) -> int:
    return int(session.connection().scalar(_ACTIVE_TOTAL) or 0)


def highest_active_priority(session: Session, asset_ids: Sequence[int]) -> dict[int, int]:
    """Asset id -> the priority number (0 CRITICAL .. 3 LOW) of its most urgent active
    incident; assets with none active, or none with a priority, are left out."""
    if not asset_ids:
        return {}
    rows = session.connection().execute(_HIGHEST, {"ids": list(asset_ids)})
    return {asset_id: number for asset_id, number in rows if number is not None}
