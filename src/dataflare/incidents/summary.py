"""Each asset's active-incident summary (count, newest, last activity), changed in the same
transaction as the incidents, so reading health or filtering on it never scans incidents."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, case, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from dataflare.catalog.models import Asset
from dataflare.incidents.models import Incident, IncidentAsset


def lock(session: Session, asset_ids: Collection[int]) -> None:
    """Lock the assets' rows in id order, so concurrent changes queue rather than deadlock.
    FOR NO KEY UPDATE (not FOR UPDATE): the incident's links to the assets already hold FOR KEY
    SHARE locks from their foreign-key checks, which FOR UPDATE would wait on across writers."""
    if asset_ids:
        session.execute(
            select(Asset.id)
            .where(Asset.id.in_(sorted(asset_ids)))
            .order_by(Asset.id)
            .with_for_update(key_share=True)
        ).all()


def raised(session: Session, incident: Incident, asset_ids: Collection[int], now: int) -> None:
    """A new ACTIVE incident: the newest on each of its assets, unless a concurrent raise that
    took its creation time later committed first (the time is taken before the locks are)."""
    latest = aliased(Incident)
    newer_latest = exists().where(
        latest.id == Asset.latest_incident_id,
        or_(
            latest.created_at > incident.created_at,
            and_(latest.created_at == incident.created_at, latest.id > incident.id),
        ),
    )
    session.execute(
        update(Asset)
        .where(Asset.id.in_(asset_ids))
        .values(
            active_incidents=Asset.active_incidents + 1,
            latest_incident_id=case((newer_latest, Asset.latest_incident_id), else_=incident.id),
            incidents_changed_at=now,
        )
    )


def activated(session: Session, asset_ids: Collection[int], now: int) -> None:
    """An existing incident became ACTIVE on these assets (reopened, or assets added)."""
    _shift(session, asset_ids, +1, now)


def deactivated(session: Session, asset_ids: Collection[int], now: int) -> None:
    """An incident stopped being ACTIVE on these assets (resolved, or assets removed)."""
    _shift(session, asset_ids, -1, now)


def touched(session: Session, asset_ids: Collection[int], now: int) -> None:
    """Something else about an incident on these assets changed: only the activity time moves."""
    if asset_ids:
        session.execute(
            update(Asset).where(Asset.id.in_(asset_ids)).values(incidents_changed_at=now)
        )


def _shift(session: Session, asset_ids: Collection[int], delta: int, now: int) -> None:
    if not asset_ids:
        return
    session.flush()  # the incident's new state must be visible to the query below
    session.execute(
        update(Asset)
        .where(Asset.id.in_(asset_ids))
        .values(active_incidents=Asset.active_incidents + delta, incidents_changed_at=now)
    )
    for asset_id in asset_ids:
        newest = session.scalar(
            select(Incident.id)
            .join(IncidentAsset, IncidentAsset.incident_id == Incident.id)
            .where(IncidentAsset.asset_id == asset_id, Incident.state == "ACTIVE")
            .order_by(Incident.created_at.desc(), Incident.id.desc())
            .limit(1)
        )
        session.execute(update(Asset).where(Asset.id == asset_id).values(latest_incident_id=newest))
