"""Applying one change to an incident: each helper records what changed in the timeline and
says whether anything did; `sync_summary` then moves the assets' active-incident summaries."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dataflare.catalog.service import ensure_asset_ids
from dataflare.core import vocabulary
from dataflare.events import outbox
from dataflare.incidents import activity, dedup, figures, links, rollups, summary
from dataflare.incidents.models import Incident


class Before:
    """What the asset summaries, figures and notifications depend on, as it was before a
    change."""

    def __init__(self, incident: Incident) -> None:
        self.active = incident.state == "ACTIVE"
        self.asset_ids = {link.asset_id for link in incident.assets}
        self.snapshot = snapshot(incident)
        self.facts = rollups.of_incident(incident)
        self.copied = links.copied_of(incident)


def snapshot(incident: Incident) -> dict[str, Any]:
    return outbox.incident_snapshot(
        urn=incident.urn,
        incident_type=incident.incident_type,
        custom_type=incident.custom_type,
        title=incident.title,
        description=incident.description,
        state=incident.state,
        stage=incident.stage,
        priority=vocabulary.NUMBER_TO_PRIORITY.get(incident.priority)
        if incident.priority is not None
        else None,
        assets=[link.asset.urn for link in incident.assets],
        assignees=[a.assignee_urn for a in incident.assignees],
    )


def notify(
    session: Session, incident: Incident, before: Before, actor: str, now: int, message: str | None
) -> None:
    """Put a notification in the outbox when a watched field changed (and the session does not
    write history: events.outbox.QUIET)."""
    if not outbox.announced(session.info):
        return
    after = snapshot(incident)
    changed = outbox.changes_between(before.snapshot, after)
    if changed:
        outbox.record(
            session.connection(), incident.id, outbox.CHANGED, actor, now, after, changed, message
        )


def sync_summary(session: Session, incident: Incident, before: Before, now: int) -> None:
    """Copy the change to the incident's links (the summaries read their state), move the
    active-incident summaries of the assets the change concerns, then the figures' rollups
    (last: their rows are the ones every change of a day shares)."""
    links.copy_changes(session.connection(), incident, before.copied)
    active = incident.state == "ACTIVE"
    asset_ids = {link.asset_id for link in incident.assets}
    if before.active and active:
        summary.deactivated(session, before.asset_ids - asset_ids, now)
        summary.lock(session, asset_ids - before.asset_ids)
        summary.activated(session, asset_ids - before.asset_ids, now)
        summary.touched(session, before.asset_ids & asset_ids, now)
    elif before.active:
        summary.deactivated(session, before.asset_ids, now)
    elif active:
        summary.lock(session, asset_ids - before.asset_ids)
        summary.activated(session, asset_ids, now)
    rollups.moved(session, before.facts, rollups.of_incident(incident))


def set_status(
    session: Session,
    incident: Incident,
    actor: str,
    now: int,
    state: str,
    stage: str | None,
    message: str | None,
) -> bool:
    changed = False
    if incident.state != state:
        if state == "ACTIVE" and incident.dedup_key is not None:
            asset_ids = [link.asset_id for link in incident.assets]
            dedup.check_free(session.connection(), incident.id, incident.dedup_key, asset_ids)
        activity.record(session, incident.id, actor, now, "STATE", incident.state, state, message)
        incident.state = state  # copied to its links by sync_summary
        figures.state_moved(incident, state, now)
        changed = True
    if stage is not None and incident.stage != stage:
        activity.record(
            session,
            incident.id,
            actor,
            now,
            "STAGE",
            incident.stage,
            stage,
            None if changed else message,
        )
        incident.stage = stage
        figures.maybe_acknowledged(incident, (), stage, now)
        changed = True
    return changed


def set_assets(session: Session, incident: Incident, actor: str, now: int, refs: list[Any]) -> bool:
    old = [link.asset.urn for link in incident.assets]
    new = [ref.urn for ref in refs]
    if old == new:
        return False
    asset_ids = ensure_asset_ids(session, refs)
    if incident.state == "ACTIVE" and incident.dedup_key is not None:
        summary.lock(session, asset_ids)
        dedup.check_free(session.connection(), incident.id, incident.dedup_key, asset_ids)
    links.replace_assets(session, incident, asset_ids)
    activity.record(session, incident.id, actor, now, "ASSETS", old, new)
    return True


def set_assignees(
    session: Session,
    incident: Incident,
    actor: str,
    now: int,
    urns: list[str],
    stamps: links.Stamps | None = None,
) -> bool:
    old = [a.assignee_urn for a in incident.assignees]
    if old == urns:
        return False
    links.replace_assignees(session, incident, urns, stamps or {}, (now, actor))
    activity.record(session, incident.id, actor, now, "ASSIGNEES", old, urns)
    figures.maybe_acknowledged(incident, urns, None, now)
    return True
