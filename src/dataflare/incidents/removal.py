"""Soft delete of an incident (a `status` aspect with removed: true) and its restoration: a
removed incident is kept, with its timeline, but leaves every list, search and health, as if it
were unlinked from its assets; restored, it comes back as it was."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflare.core.clock import now_for
from dataflare.incidents import activity, dedup, links, rollups, summary
from dataflare.incidents.models import Incident
from dataflare.incidents.rules import REMOVED

KIND = "REMOVED"  # the timeline entry: old and new value of `removed`


def asset_urns(session: Session, urn: str) -> list[str] | None:
    """The URNs of the incident's assets; None when there is no such incident."""
    incident = session.scalars(select(Incident).where(Incident.urn == urn)).one_or_none()
    return None if incident is None else [link.asset.urn for link in incident.assets]


def set_removed(session: Session, actor: str, urn: str, removed: bool) -> bool:
    """Remove (soft-delete) or restore the incident; whether that changed anything (False for
    an incident Dataflare does not hold)."""
    incident = session.scalars(
        select(Incident)
        .where(Incident.urn == urn)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if incident is None or incident.removed == removed:
        return False
    asset_ids = sorted(link.asset_id for link in incident.assets)
    summary.lock(session, asset_ids)
    now = now_for(session.info)
    connection = session.connection()
    active = incident.state == "ACTIVE"
    if removed:
        links.set_state(connection, incident.id, REMOVED)
        links.move_totals(connection, {asset_id: -1 for asset_id in asset_ids})
        if active:
            summary.deactivated(session, asset_ids, now)
    else:
        if active and incident.dedup_key is not None:
            dedup.check_free(connection, incident.id, incident.dedup_key, asset_ids)
        links.set_state(connection, incident.id, incident.state)
        links.move_totals(connection, {asset_id: +1 for asset_id in asset_ids})
        if active:
            summary.activated(session, asset_ids, now)
    if not active:
        summary.touched(session, asset_ids, now)
    before = rollups.of_incident(incident)
    incident.removed = removed
    incident.updated_at = now
    activity.record(session, incident.id, actor, now, KIND, not removed, removed)
    rollups.moved(session, before, rollups.of_incident(incident))
    session.expire(incident, ["assets"])
    return True
