"""Hard delete of an incident (`datahub delete --urn urn:li:incident:... --hard`): the incident
goes with its links, assignees, timeline and pending notifications, its assets' summaries
(counts, newest incident, search counts) move as if it had been resolved and unlinked, and an
audit row says who deleted what, and when."""

from __future__ import annotations

import json
import logging

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from dataflare.catalog import stored_aspects
from dataflare.core.clock import now_for
from dataflare.incidents import links, rollups, summary
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENT_DELETIONS, INCIDENTS, Incident
from dataflare.incidents.queries import assets_of

log = logging.getLogger("dataflare.incidents")


def asset_urns(session: Session, urn: str) -> list[str] | None:
    """The URNs of the incident's assets (whose edit right a delete needs); None when there is
    no such incident."""
    found = session.execute(select(INCIDENTS.c.id).where(INCIDENTS.c.urn == urn)).one_or_none()
    if found is None:
        return None
    return [a.urn for a in assets_of(session.connection(), found.id)]


def delete_incident(session: Session, actor: str, urn: str) -> int:
    """Delete the incident for `actor` (who may edit incidents on all its assets: the caller
    checks); how many rows went (0 when there was no such incident)."""
    incident = session.scalars(
        select(Incident).where(Incident.urn == urn).with_for_update()
    ).one_or_none()
    if incident is None:
        return 0
    connection = session.connection()
    counted = rollups.of_incident(incident)
    assets = assets_of(connection, incident.id)
    asset_ids = sorted(a.id for a in assets if a.id is not None)
    summary.lock(session, asset_ids)
    now = now_for(session.info)
    what = {
        "type": incident.incident_type,
        "customType": incident.custom_type,
        "title": incident.title,
        "state": incident.state,
        "removed": incident.removed,
        "assets": [a.urn for a in assets],
        "created": {"time": incident.created_at, "actor": incident.created_by},
    }
    connection.execute(
        insert(INCIDENT_DELETIONS).values(
            incident_urn=urn, deleted_at=now, deleted_by=actor, incident=json.dumps(what)
        )
    )
    unlinked = connection.execute(
        delete(INCIDENT_ASSETS).where(INCIDENT_ASSETS.c.incident_id == incident.id)
    ).rowcount
    if not incident.removed:  # a removed incident has left the summaries already
        links.move_totals(connection, {asset_id: -1 for asset_id in asset_ids})
    if incident.state == "ACTIVE" and not incident.removed:
        summary.deactivated(session, asset_ids, now)  # the newest is found again, without it
    else:
        summary.touched(session, asset_ids, now)
    rollups.moved(session, counted, None)
    session.expunge(incident)
    # The timeline, assignees, notifications not yet delivered and Slack threads go with it
    # (ON DELETE CASCADE).
    connection.execute(delete(INCIDENTS).where(INCIDENTS.c.id == incident.id))
    stored_aspects.forget(session, urn)  # its tags
    # A warning, so that it is in the server's log at its usual level: deletes are rare.
    log.warning("incident %s deleted by %s (%s)", urn, actor, json.dumps(what))
    return 1 + unlinked
