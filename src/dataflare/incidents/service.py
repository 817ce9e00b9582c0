"""Incident rules: raise, change status, edit, find. Functions take the session and never commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataflare.catalog.queries import AssetView
from dataflare.catalog.service import ensure_asset_ids
from dataflare.core import vocabulary
from dataflare.core.clock import now_ms
from dataflare.core.errors import Conflict, InvalidInput, NotFound
from dataflare.core.urns import incident_urn, parse_asset
from dataflare.db.driver import driver_insert
from dataflare.events import outbox
from dataflare.incidents import activity, dedup, queries, rules, summary
from dataflare.incidents import changes as apply
from dataflare.incidents.models import (
    INCIDENT_ASSETS,
    INCIDENT_ASSIGNEES,
    INCIDENTS,
    Incident,
)
from dataflare.incidents.queries import IncidentView

NOT_FOUND_ON_UPDATE = "Failed to update incident. Incident does not exist."

MAX_PAGE_SIZE = 1000
_INCIDENT_COLUMNS = [c.name for c in INCIDENTS.c if c.name != "id"]
_INSERT_INCIDENT = driver_insert(INCIDENTS, _INCIDENT_COLUMNS, returning="id")
_INSERT_LINKS = driver_insert(
    INCIDENT_ASSETS, ["incident_id", "asset_id", "position", "state", "created_at", "dedup_key"]
)
_INSERT_ASSIGNEES = driver_insert(INCIDENT_ASSIGNEES, ["incident_id", "assignee_urn", "position"])
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
    incidents: list[IncidentView]


def raise_incident(session: Session, actor: str, request: RaiseRequest) -> str:
    """Create an incident on one or more assets, registering assets seen for the first time;
    return its URN. Written with plain inserts: this is the hottest write path."""
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
    urn = incident_urn(incident_id)
    if incident_id is not None and get_incident(session, urn) is not None:
        raise Conflict(f"Incident with id {incident_id} already exists.")

    connection = session.connection()
    asset_ids = ensure_asset_ids(connection, refs)
    if state == "ACTIVE" or dedup_key is not None:
        # Also what makes concurrent raises with one dedup key find each other's incident.
        summary.lock(session, asset_ids)
    if dedup_key is not None:
        existing = dedup.find_active(connection, asset_ids, dedup_key)
        if existing is not None:
            return dedup.raised_again(session, existing, asset_ids, actor, request.message)
    # Read the clock only now that the assets are locked: a concurrent raise on them has
    # committed, so this incident really is their newest.
    now = now_ms()
    row = {
        "urn": urn,
        "incident_type": request.type,
        "custom_type": custom_type,
        "title": title,
        "description": description,
        "state": state,
        "stage": stage,
        "status_message": request.message,
        "status_updated_at": now,
        "status_updated_by": actor,
        "priority": priority,
        "source_type": source,
        "started_at": now if started_at is None else started_at,
        "created_at": now,
        "created_by": actor,
        "updated_at": now,
        "dedup_key": dedup_key,
    }
    if incident_id is None:
        pk = _INSERT_INCIDENT.scalar(connection, row)
    else:
        try:
            with session.begin_nested():
                pk = connection.execute(_INSERT_CHOSEN_INCIDENT, row).scalar_one()
        except IntegrityError as exc:  # another writer took the same id meanwhile
            raise Conflict(f"Incident with id {incident_id} already exists.") from exc
    _INSERT_LINKS.run_many(
        connection,
        [
            {
                "incident_id": pk,
                "asset_id": asset_id,
                "position": i,
                "state": state,
                "created_at": now,
                "dedup_key": dedup_key,
            }
            for i, asset_id in enumerate(asset_ids)
        ],
    )
    if assignees:
        _INSERT_ASSIGNEES.run_many(
            connection,
            [
                {"incident_id": pk, "assignee_urn": u, "position": i}
                for i, u in enumerate(assignees)
            ],
        )
    if state == "ACTIVE":
        summary.raised(session, pk, asset_ids, now)
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
        connection, pk, actor, now, activity.RAISED, new=raised, message=request.message
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
    outbox.record(connection, pk, outbox.RAISED, actor, now, snapshot, message=request.message)
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
    rules.check_state(state)
    if stage is not None:
        rules.check_stage(stage)
    incident = _require(session, urn)
    before = apply.Before(incident)
    now = now_ms()
    changed = apply.set_status(session, incident, actor, now, state, stage, message)
    if not changed and message:
        activity.record(session.connection(), incident.id, actor, now, "MESSAGE", message=message)
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
                old, new = vocabulary.NUMBER_TO_PRIORITY.get(old), changes["priority"]
            activity.record(session.connection(), incident.id, actor, now, kind, old, new)
            changed = True
    if "assets" in checked:
        changed |= apply.set_assets(session, incident, actor, now, checked["assets"])
    if "assignees" in checked:
        changed |= apply.set_assignees(session, incident, actor, now, checked["assignees"])
    message = None
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
        apply.notify(session, incident, before, actor, now, message)
    return changed


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


def list_incidents(
    session: Session, asset: AssetView, filters: IncidentFilter, start: int = 0, count: int = 20
) -> IncidentPage:
    """One page of the incidents on an asset, newest first, and how many match in all.
    The page comes from the asset's links index; only the page's incidents are loaded."""
    if start < 0 or count < 0:
        raise InvalidInput(
            f"start and count must not be negative (got start={start}, count={count})."
        )
    if count > MAX_PAGE_SIZE:
        raise InvalidInput(f"count must be at most {MAX_PAGE_SIZE} (got {count}).")
    if asset.id is None:
        return IncidentPage(start=start, count=count, total=0, incidents=[])
    connection = session.connection()
    if not (filters.stage or filters.priority or filters.assignee_urns):
        # The usual page: one statement, straight from the links' index. With state ACTIVE,
        # the total is the asset's summary count.
        incidents = queries.page_on_asset(connection, asset.id, filters.state, start, count)
        if filters.state == "ACTIVE":
            total = asset.active_incidents
        else:
            total = queries.count_on_asset(connection, asset.id, filters.state)
        return IncidentPage(start, count, total, incidents)
    links = INCIDENT_ASSETS.c
    query = select(links.incident_id).where(links.asset_id == asset.id)
    if filters.state:
        query = query.where(links.state == filters.state)
    if filters.stage or filters.priority:
        query = query.join(INCIDENTS, INCIDENTS.c.id == links.incident_id)
        if filters.stage:
            query = query.where(INCIDENTS.c.stage == filters.stage)
        if filters.priority:
            query = query.where(INCIDENTS.c.priority == rules.priority_number(filters.priority))
    if filters.assignee_urns:
        assigned = select(INCIDENT_ASSIGNEES.c.incident_id).where(
            INCIDENT_ASSIGNEES.c.assignee_urn.in_(filters.assignee_urns)
        )
        query = query.where(links.incident_id.in_(assigned))
    total = connection.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(links.created_at.desc(), links.incident_id.desc()).offset(start)
    page_ids = list(connection.scalars(page.limit(count)))
    return IncidentPage(start, count, total, queries.by_ids(connection, page_ids))


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
        rules.check_state(status["state"])
        if status.get("stage") is not None:
            rules.check_stage(status["stage"])
        checked["status"] = status
    return checked
