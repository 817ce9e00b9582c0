"""An asset's health as incidents see it: FAIL while any incident on it is ACTIVE."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataflare.catalog.models import Asset
from dataflare.incidents.models import Incident, IncidentAsset

ACTIVE_INCIDENTS_CAUSE = "ACTIVE_INCIDENTS"


@dataclass(frozen=True)
class IncidentHealth:
    status: str  # PASS or FAIL
    active_count: int
    latest_urn: str | None
    latest_title: str | None
    last_activity_at: int | None

    @property
    def message(self) -> str | None:
        if not self.active_count:
            return None
        noun = "incident" if self.active_count == 1 else "incidents"
        return f"{self.active_count} active {noun}"


def incident_health(session: Session, asset_urn: str) -> IncidentHealth:
    active = (
        select(Incident)
        .join(IncidentAsset, IncidentAsset.incident_id == Incident.id)
        .join(Asset, Asset.id == IncidentAsset.asset_id)
        .where(Asset.urn == asset_urn, Incident.state == "ACTIVE")
    )
    matching = active.subquery()
    count, last_activity = session.execute(
        select(func.count(), func.max(matching.c.updated_at))
    ).one()
    if not count:
        return IncidentHealth("PASS", 0, None, None, None)
    latest = session.scalars(
        active.order_by(Incident.created_at.desc(), Incident.id.desc()).limit(1)
    ).one()
    return IncidentHealth("FAIL", count, latest.urn, latest.title, last_activity)
