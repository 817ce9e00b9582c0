"""Incident rules: raise, change status, edit, find. Functions take the session and never commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataflare.catalog.models import Asset
from dataflare.catalog.service import ensure_assets
from dataflare.clock import now_ms
from dataflare.errors import Conflict, InvalidInput, NotFound
from dataflare.incidents import activity, rules, summary
from dataflare.incidents import changes as apply
from dataflare.incidents.models import Incident, IncidentAsset, IncidentAssignee
from dataflare.urns import incident_urn

NOT_FOUND_ON_UPDATE = "Failed to update incident. Incident does not exist."
MAX_PAGE_SIZE = 1000


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


@dataclass
class IncidentFilter:
    state: str | None = None
    stage: str | None = None
    priority: str | None = None
    assignee_urns: list[str] = field(default_factory=list)


@dataclass
class IncidentPage:
    start: int
    count: int
    total: int
    incidents: list[Incident]


def raise_incident(session: Session, actor: str, request: RaiseRequest) -> Incident:
    """Create an incident on one or more assets, registering assets seen for the first time."""
    custom_type = rules.check_custom_type(request.type, request.custom_type)
    refs = rules.check_resources(request.resource_urn, request.resource_urns)
    title = rules.check_title(request.title)
    description = rules.check_description(request.description)
    state = rules.check_choice(request.state or "ACTIVE", rules.STATES, "incident state")
    stage = request.stage and rules.check_choice(request.stage, rules.STAGES, "incident stage")
    source = rules.check_choice(request.source_type or "MANUAL", rules.SOURCE_TYPES, "source type")
    priority = rules.priority_number(request.priority)
    assignees = rules.check_assignees(request.assignee_urns)
    started_at = rules.check_time(request.started_at, "startedAt")
    incident_id = rules.check_incident_id(request.incident_id)
    urn = incident_urn(incident_id)
    if incident_id is not None and get_incident(session, urn) is not None:
        raise Conflict(f"Incident with id {incident_id} already exists.")

    now = now_ms()
    assets = ensure_assets(session, refs)
    incident = Incident(
        urn=urn,
        incident_type=request.type,
        custom_type=custom_type,
        title=title,
        description=description,
        state=state,
        stage=stage,
        status_message=request.message,
        status_updated_at=now,
        status_updated_by=actor,
        priority=priority,
        source_type=source,
        started_at=now if started_at is None else started_at,
        created_at=now,
        created_by=actor,
        updated_at=now,
        assets=[IncidentAsset(asset_id=a.id, position=i) for i, a in enumerate(assets)],
        assignees=[IncidentAssignee(assignee_urn=u, position=i) for i, u in enumerate(assignees)],
    )
    try:
        with session.begin_nested():
            session.add(incident)
            session.flush()
    except IntegrityError as exc:  # another writer took the same caller-chosen id meanwhile
        raise Conflict(f"Incident with id {incident_id} already exists.") from exc
    if state == "ACTIVE":
        asset_ids = [a.id for a in assets]
        summary.lock(session, asset_ids)
        summary.raised(session, incident, asset_ids, now)
    raised = snapshot(incident, [ref.urn for ref in refs])
    activity.record(
        session, incident, actor, now, activity.RAISED, new=raised, message=request.message
    )
    return incident


def update_status(
    session: Session,
    actor: str,
    urn: str,
    state: str,
    stage: str | None = None,
    message: str | None = None,
) -> Incident:
    """Move an incident to a state (and stage, when given); the message belongs to this change."""
    rules.check_choice(state, rules.STATES, "incident state")
    if stage is not None:
        rules.check_choice(stage, rules.STAGES, "incident stage")
    incident = _require(session, urn)
    before = apply.Before(incident)
    now = now_ms()
    changed = apply.set_status(session, incident, actor, now, state, stage, message)
    if not changed and message:
        activity.record(session, incident, actor, now, "MESSAGE", message=message)
    incident.status_message = message
    incident.status_updated_at = now
    incident.status_updated_by = actor
    incident.updated_at = now
    apply.sync_summary(session, incident, before, now)
    return incident


def update_incident(session: Session, actor: str, urn: str, changes: Mapping[str, Any]) -> Incident:
    """Apply the fields present in `changes`; a field left out is left as it is. When nothing
    differs, nothing is written (so ingesting the same metadata twice changes nothing)."""
    checked = _check_changes(changes)
    incident = _require(session, urn)
    before = apply.Before(incident)
    now = now_ms()
    changed = False
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
                old, new = rules.NUMBER_TO_PRIORITY.get(old), changes["priority"]
            activity.record(session, incident, actor, now, kind, old, new)
            changed = True
    if "assets" in checked:
        changed |= apply.set_assets(session, incident, actor, now, checked["assets"])
    if "assignees" in checked:
        changed |= apply.set_assignees(session, incident, actor, now, checked["assignees"])
    if "status" in checked:
        status = checked["status"]
        message = status.get("message")
        moved = apply.set_status(
            session, incident, actor, now, status["state"], status.get("stage"), message
        )
        if moved or message != incident.status_message:
            incident.status_message = message
            incident.status_updated_at = now
            incident.status_updated_by = actor
            changed = True
    if changed:
        incident.updated_at = now
        apply.sync_summary(session, incident, before, now)
    return incident


def get_incident(session: Session, urn: str) -> Incident | None:
    return session.scalars(select(Incident).where(Incident.urn == urn)).one_or_none()


def list_incidents(
    session: Session, asset_urn: str, filters: IncidentFilter, start: int = 0, count: int = 20
) -> IncidentPage:
    """One page of the incidents on an asset, newest first, and how many match in all."""
    if start < 0 or count < 0:
        raise InvalidInput(
            f"start and count must not be negative (got start={start}, count={count})."
        )
    if count > MAX_PAGE_SIZE:
        raise InvalidInput(f"count must be at most {MAX_PAGE_SIZE} (got {count}).")
    query = (
        select(Incident)
        .join(IncidentAsset, IncidentAsset.incident_id == Incident.id)
        .join(Asset, Asset.id == IncidentAsset.asset_id)
        .where(Asset.urn == asset_urn)
    )
    if filters.state:
        query = query.where(Incident.state == filters.state)
    if filters.stage:
        query = query.where(Incident.stage == filters.stage)
    if filters.priority:
        query = query.where(Incident.priority == rules.priority_number(filters.priority))
    if filters.assignee_urns:
        assigned = select(IncidentAssignee.incident_id).where(
            IncidentAssignee.assignee_urn.in_(filters.assignee_urns)
        )
        query = query.where(Incident.id.in_(assigned))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Incident.created_at.desc(), Incident.id.desc()).offset(start).limit(count)
    )
    return IncidentPage(start=start, count=count, total=total, incidents=list(rows))


def snapshot(incident: Incident, asset_urns: list[str]) -> dict[str, Any]:
    """The fields a RAISED timeline entry records."""
    return {
        "type": incident.incident_type,
        "customType": incident.custom_type,
        "title": incident.title,
        "state": incident.state,
        "stage": incident.stage,
        "priority": rules.NUMBER_TO_PRIORITY.get(incident.priority)
        if incident.priority is not None
        else None,
        "assets": asset_urns,
        "assignees": [a.assignee_urn for a in incident.assignees],
    }


def _require(session: Session, urn: str) -> Incident:
    """The incident to change, its row and its assets' rows locked until the transaction ends,
    so that concurrent changes to it apply one after the other."""
    incident = session.scalars(
        select(Incident)
        .where(Incident.urn == urn)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if incident is None:
        raise NotFound(NOT_FOUND_ON_UPDATE)
    summary.lock(session, [link.asset_id for link in incident.assets])
    return incident


def _check_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    if "title" in changes:
        checked["title"] = rules.check_title(changes["title"])
    if "description" in changes:
        checked["description"] = rules.check_description(changes["description"])
    if "started_at" in changes:
        if changes["started_at"] is None:
            raise InvalidInput("startedAt cannot be cleared; give a time in epoch milliseconds.")
        checked["started_at"] = rules.check_time(changes["started_at"], "startedAt")
    if "priority" in changes:
        checked["priority"] = rules.priority_number(changes["priority"])
    if "resource_urns" in changes:
        if not changes["resource_urns"]:
            raise InvalidInput("At least 1 resource urn must be defined for an incident.")
        checked["assets"] = rules.check_resources(None, changes["resource_urns"])
    if "assignee_urns" in changes:
        checked["assignees"] = rules.check_assignees(changes["assignee_urns"])
    if changes.get("status") is not None:
        status = changes["status"]
        rules.check_choice(status["state"], rules.STATES, "incident state")
        if status.get("stage") is not None:
            rules.check_choice(status["stage"], rules.STAGES, "incident stage")
        checked["status"] = status
    return checked
