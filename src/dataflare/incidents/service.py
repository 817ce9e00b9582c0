"""Incident rules: raise, change status, edit, find. Functions take the session and never commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataflare.catalog.service import ensure_asset_ids
from dataflare.core import vocabulary
from dataflare.core.clock import now_for
from dataflare.core.errors import Conflict, InvalidInput, NotFound
from dataflare.core.urns import incident_urn, parse_asset
from dataflare.db.commit import run_or_end_with
from dataflare.db.driver import driver_insert
from dataflare.events import outbox
from dataflare.incidents import activity, dedup, figures, links, rollups, rules, summary
from dataflare.incidents import changes as apply
from dataflare.incidents.models import INCIDENTS, Incident

NOT_FOUND_ON_UPDATE = "Failed to update incident. Incident does not exist."

_INCIDENT_COLUMNS = [c.name for c in INCIDENTS.c if c.name != "id"]
_INSERT_INCIDENT = driver_insert(INCIDENTS, _INCIDENT_COLUMNS, returning="id")
# A caller-chosen id may meet another writer's: that insert runs in a savepoint, the slow way.
_INSERT_CHOSEN_INCIDENT = insert(INCIDENTS).returning(INCIDENTS.c.id)


@dataclass
class RaiseRequest:
    """Everything `raiseIncident` accepts, already in Python terms."""

    type: str
    resource_urn: str | None = None
    resource_urns: list[str] | None = None
    custom_type: str | None = None
    title: str | None = None
    description: str | None = None
    source_type: str | None = None
    state: str | None = None
    stage: str | None = None
    message: str | None = None
    priority: str | None = None
    assignee_urns: list[str] | None = None
    started_at: int | None = None
    incident_id: str | None = None
    dedup_key: str | None = None
    # As an incident sent as metadata states them (its own times and authors); the arrival
    # time and the sender when absent. The timeline records the sender and the arrival.
    source_urn: str | None = None
    created: rules.Stamp | None = None
    status_updated: rules.Stamp | None = None
    assigned: dict[str, rules.Stamp] | None = None  # assignee -> when and by whom, as sent


def raise_incident(session: Session, actor: str, request: RaiseRequest) -> str:
    """Create an incident on one or more assets; return its URN.

    Every write it makes, in order (plain statements on the driver: the hottest write path):
    1. assets never seen before are registered (catalog.service.ensure_asset_ids);
    with a dedup key, the assets are locked first (summary.lock, PostgreSQL only), and when an
    active incident on one of them holds the key, only a RAISED_AGAIN timeline entry and the
    assets' activity times are written (dedup.raised_again); otherwise:
    2. the incident row;
    3. its assignees, then its links to the assets (links);
    4. the first timeline entry, RAISED (activity.record);
    5. the outbox event that notifications deliver later (events.outbox.record), unless the
       session writes history (events.outbox.QUIET);
    6. each asset's summary: incidents in all, active count, newest incident, last activity
       (summary.raised; summary.linked for an incident raised RESOLVED), which also notes the
       assets for the search counts. It locks the
       assets' rows (many raises share an asset), so it comes last: the locks are held only
       from here to the commit;
    7. the figures' rollups: the cells of its day, type, priority, platforms, owners and assets
       (incidents.rollups, after one read of the assets' owners), in key order;
    8. at commit, the search counts (catalog.search_counts.write, which Database.session runs
       before committing).
    On PostgreSQL, when the raise is the whole request, 3 (the links) to 8 go with the COMMIT in
    one round trip where they can (db/commit.end_with: see summary.raised).
    """
    custom_type = rules.check_custom_type(request.type, request.custom_type)
    refs = rules.check_resources(request.resource_urn, request.resource_urns)
    title = rules.check_title(request.title)
    description = rules.check_description(request.description)
    state = rules.check_state(request.state or "ACTIVE")
    stage = request.stage and rules.check_stage(request.stage)
    source = rules.check_source_type(request.source_type or "MANUAL")
    priority = rules.priority_number(request.priority)
    assignees = rules.check_assignees(request.assignee_urns)
    started_at = rules.check_time(request.started_at, "startedAt")
    incident_id = rules.check_incident_id(request.incident_id)
    dedup_key = rules.check_dedup_key(request.dedup_key)
    message = rules.check_message(request.message)
    source_urn = rules.check_source_urn(request.source_urn)
    urn = incident_urn(incident_id)
    if incident_id is not None and get_incident(session, urn) is not None:
        raise Conflict(f"Incident with id {incident_id} already exists.")

    connection = session.connection()
    asset_ids = ensure_asset_ids(session, refs)
    if dedup_key is not None:
        # The lock is what makes concurrent raises with one key find each other's incident.
        summary.lock(session, asset_ids)
        existing = dedup.find_active(connection, asset_ids, dedup_key)
        if existing is not None:
            return dedup.raised_again(session, existing, asset_ids, actor, message)
    now = now_for(session.info)
    created_at, created_by = request.created or (now, actor)
    times = figures.at_raise(state, stage, assignees, created_at)
    status_at, status_by = request.status_updated or (created_at, created_by)
    row = {
        "urn": urn,
        "incident_type": request.type,
        "custom_type": custom_type,
        "title": title,
        "description": description,
        "state": state,
        "stage": stage,
        "status_message": message,
        "status_updated_at": status_at,
        "status_updated_by": status_by,
        "priority": priority,
        "source_type": source,
        "source_urn": source_urn,
        "started_at": created_at if started_at is None else started_at,
        "created_at": created_at,
        "created_by": created_by,
        "updated_at": now if request.status_updated is None else status_at,
        "dedup_key": dedup_key,
        "removed": False,
        **times,
    }
    if incident_id is None:
        pk = _INSERT_INCIDENT.scalar(connection, row)
    else:
        try:
            with session.begin_nested():
                pk = connection.execute(_INSERT_CHOSEN_INCIDENT, row).scalar_one()
        except IntegrityError as exc:  # another writer took the same id meanwhile
            raise Conflict(f"Incident with id {incident_id} already exists.") from exc
    links.add_assignees(connection, pk, assignees, request.assigned or {}, (created_at, created_by))
    # Nothing in the raise reads these back: they may go with the COMMIT (db/commit.end_with).
    writes = links.asset_links(pk, asset_ids, {name: row[name] for name in links.COPIED})
    asset_urns = [ref.urn for ref in refs]
    raised = {
        "type": request.type,
        "customType": custom_type,
        "title": title,
        "state": state,
        "stage": stage,
        "priority": request.priority,
        "assets": asset_urns,
        "assignees": assignees,
    }
    if dedup_key is not None:
        raised["dedupKey"] = dedup_key
    activity.record(
        session, pk, actor, now, activity.RAISED, new=raised, message=message, later=writes
    )
    snapshot = outbox.incident_snapshot(
        urn=urn,
        incident_type=request.type,
        custom_type=custom_type,
        title=title,
        description=description,
        state=state,
        stage=stage,
        priority=request.priority,
        assets=asset_urns,
        assignees=assignees,
    )
    if outbox.announced(session.info):
        outbox.record(
            connection, pk, outbox.RAISED, actor, now, snapshot, message=message, later=writes
        )
    run_or_end_with(session, writes)
    if state == "ACTIVE":
        summary.raised(session, pk, asset_ids, created_at)
    else:
        summary.linked(session, asset_ids)
    facts = rollups.Facts(
        created_at,
        times["resolved_at"],
        times["acknowledged_at"],
        request.type,
        priority,
        frozenset(asset_ids),
    )
    rollups.moved(session, None, facts)
    return urn


def update_status(
    session: Session,
    actor: str,
    urn: str,
    state: str,
    stage: str | None = None,
    message: str | None = None,
) -> Incident:
    """Move an incident to a state (and stage, when given); the message belongs to this change."""
    rules.check_message(message)
    rules.check_state(state)
    if stage is not None:
        rules.check_stage(stage)
    incident = _require(session, urn)
    before = apply.Before(incident)
    now = now_for(session.info)
    changed = apply.set_status(session, incident, actor, now, state, stage, message)
    if not changed and message:
        activity.record(session, incident.id, actor, now, "MESSAGE", message=message)
    incident.status_message = message
    incident.status_updated_at = now
    incident.status_updated_by = actor
    incident.updated_at = now
    apply.sync_summary(session, incident, before, now)
    apply.notify(session, incident, before, actor, now, message)
    return incident


def update_incident(session: Session, actor: str, urn: str, changes: Mapping[str, Any]) -> bool:
    """Apply the fields present in `changes`; a field left out is left as it is. When nothing
    differs, nothing is written (so ingesting the same metadata twice changes nothing), and the
    answer is False."""
    checked = rules.check_changes(changes)
    incident = _require(session, urn)
    before = apply.Before(incident)
    now = now_for(session.info)
    changed = False
    if "incident_type" in changes or "custom_type" in changes:  # checked first: it may refuse
        changed = _set_type(session, incident, actor, now, changes)
    for name, kind in (
        ("title", "TITLE"),
        ("description", "DESCRIPTION"),
        ("started_at", "STARTED_AT"),
        ("priority", "PRIORITY"),
    ):
        if name in checked and getattr(incident, name) != checked[name]:
            old, new = getattr(incident, name), checked[name]
            setattr(incident, name, new)
            if name == "priority":
                old, new = vocabulary.NUMBER_TO_PRIORITY.get(old), changes["priority"]
            activity.record(session, incident.id, actor, now, kind, old, new)
            changed = True
    if "assets" in checked:
        changed |= apply.set_assets(session, incident, actor, now, checked["assets"])
    if "assignees" in checked:
        stamps = changes.get("assignee_stamps")
        changed |= apply.set_assignees(session, incident, actor, now, checked["assignees"], stamps)
    message = None
    stamp: rules.Stamp | None = None  # the status's own time and author, sent as metadata
    if "status" in checked:
        status = checked["status"]
        message = status.get("message")
        stamp = status.get("lastUpdated")
        moved = apply.set_status(
            session, incident, actor, now, status["state"], status.get("stage"), message
        )
        current = (incident.status_updated_at, incident.status_updated_by)
        if moved or message != incident.status_message or stamp not in (None, current):
            incident.status_message = message
            incident.status_updated_at, incident.status_updated_by = stamp or (now, actor)
            changed = True
    if changed:
        incident.updated_at = now if stamp is None else stamp[0]
        apply.sync_summary(session, incident, before, now)
        apply.notify(session, incident, before, actor, now, message)
    return changed


def _set_type(
    session: Session, incident: Incident, actor: str, now: int, changes: Mapping[str, Any]
) -> bool:
    """A new type, custom type, or both. Leaving CUSTOM drops the custom type unless one is
    given; the timeline keeps both, before and after."""
    new_type = changes.get("incident_type") or incident.incident_type
    if "custom_type" in changes:
        wanted = changes["custom_type"]
    else:
        wanted = incident.custom_type if new_type == "CUSTOM" else None
    if new_type == "CUSTOM" and not (wanted and wanted.strip()):
        raise InvalidInput("customType is required when type is CUSTOM.")
    custom_type = rules.check_custom_type(new_type, wanted)
    old = {"type": incident.incident_type, "customType": incident.custom_type}
    new = {"type": new_type, "customType": custom_type}
    if old == new:
        return False
    incident.incident_type, incident.custom_type = new_type, custom_type
    activity.record(session, incident.id, actor, now, "TYPE", old, new)
    return True


def resolve_by_dedup_key(
    session: Session, actor: str, asset_urn: str, key: str, message: str | None
) -> str | None:
    """Resolve the active incident holding `key` on the asset; its URN, or None if none is."""
    urn = find_active_by_dedup_key(session, asset_urn, key)
    if urn is None:
        return None
    incident = _require(session, urn)
    if incident.state != "ACTIVE":  # resolved by someone else since it was found
        return None
    update_status(session, actor, urn, "RESOLVED", message=message)
    return urn


def find_active_by_dedup_key(session: Session, asset_urn: str, key: str) -> str | None:
    """The URN of the active incident holding `key` on the asset, if any."""
    ref = parse_asset(asset_urn)
    return dedup.find_active_urn(session, ref.urn, rules.check_dedup_key(key) or key)


def get_incident(session: Session, urn: str) -> Incident | None:
    return session.scalars(select(Incident).where(Incident.urn == urn)).one_or_none()


def _require(session: Session, urn: str) -> Incident:
    """The incident to change, its row and its assets' rows locked until the transaction ends,
    so that concurrent changes to it apply one after the other."""
    incident = session.scalars(
        select(Incident)
        .where(Incident.urn == urn)
        # NO KEY UPDATE: a repeat raise, which holds its asset's lock, may still add a timeline
        # row (a foreign key to this one) and finish, rather than wait here and deadlock.
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if incident is None:
        raise NotFound(NOT_FOUND_ON_UPDATE)
    if incident.removed:
        raise Conflict(
            f"Incident {urn} is removed (soft-deleted): restore it first (its status aspect "
            "with removed: false)."
        )
    summary.lock(session, [link.asset_id for link in incident.assets])
    return incident
