"""An asset's health as incidents see it: FAIL while any incident on it is ACTIVE.

Read from the asset's summary (see summary.py): one row, never a scan of incidents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflare.catalog.models import Asset
from dataflare.incidents.models import Incident

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


HEALTHY = IncidentHealth("PASS", 0, None, None, None)


def incident_health(session: Session, asset_urn: str) -> IncidentHealth:
    return health_by_urn(session, [asset_urn]).get(asset_urn, HEALTHY)


def health_by_urn(session: Session, asset_urns: Sequence[str]) -> dict[str, IncidentHealth]:
    """The health of these assets, by URN (an asset not registered is left out: healthy)."""
    rows = session.execute(
        select(
            Asset.urn,
            Asset.active_incidents,
            Asset.incidents_changed_at,
            Incident.urn,
            Incident.title,
        )
        .outerjoin(Incident, Incident.id == Asset.latest_incident_id)
        .where(Asset.urn.in_(asset_urns))
    )
    return {
        urn: health_of(count, changed_at, latest_urn, latest_title)
        for urn, count, changed_at, latest_urn, latest_title in rows
    }


def health_of(
    active: int, changed_at: int | None, latest_urn: str | None, latest_title: str | None
) -> IncidentHealth:
    """From an asset's summary and its newest active incident."""
    if not active:
        return IncidentHealth("PASS", 0, None, None, changed_at)
    return IncidentHealth("FAIL", active, latest_urn, latest_title, changed_at)
