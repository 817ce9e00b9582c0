"""An `incidentInfo` aspect (DataHub's test data and its Monte Carlo connector write incidents
as metadata) creates the incident, or brings an existing one up to date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from dataflare.core.errors import InvalidInput
from dataflare.core.vocabulary import NUMBER_TO_PRIORITY
from dataflare.incidents import activity, removal, rules, service
from dataflare.ingest.proposals import Proposal

PREFIX = "urn:li:incident:"


def _priority(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and value in NUMBER_TO_PRIORITY:
        return NUMBER_TO_PRIORITY[value]
    raise InvalidInput(f"aspect.priority: expected 0 (critical) to 3 (low), not {value!r}.")


def _checked(obj: dict[str, Any], field: str, kind: type, what: str, where: str = "aspect") -> Any:
    """The field's value when it is absent, null or of the expected JSON type."""
    value = obj.get(field)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise InvalidInput(f"{where}.{field}: {what} is required, not {value!r}.")
    return value


def _assignees(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise InvalidInput("aspect.assignees: a list is required.")
    urns = []
    for i, item in enumerate(value):
        actor = item.get("actor") if isinstance(item, dict) else item
        if not isinstance(actor, str):
            raise InvalidInput(f"aspect.assignees[{i}].actor: a user or group URN is required.")
        urns.append(actor)
    return urns


def _assigned(value: list[Any]) -> dict[str, rules.Stamp]:
    """Each assignee's `assignedAt`, where the aspect states one (its list checked already)."""
    stamps = {}
    for i, item in enumerate(value):
        if isinstance(item, dict):
            stamp = _stamp(item, "assignedAt", f"aspect.assignees[{i}]")
            if stamp is not None:
                stamps[item["actor"]] = stamp
    return stamps


def _stamp(obj: dict[str, Any], field: str, where: str) -> rules.Stamp | None:
    """An AuditStamp ({time, actor}) the aspect states, or None when it states none."""
    value = obj.get(field)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}.{field}: an object with time and actor is required.")
    return rules.check_stamp(value.get("time"), value.get("actor"), f"{where}.{field}")


def apply_incident_info(session: Session, actor: str, p: Proposal) -> bool:
    """Whether it changed anything: the same aspect again changes nothing. The incident keeps
    the times and authors the aspect states (created, status.lastUpdated); its timeline says
    who sent it and when it arrived, marked as metadata."""
    with _as_metadata(session):
        return _apply(session, actor, p)


@contextmanager
def _as_metadata(session: Session) -> Iterator[None]:
    """The timeline entries written within are marked as sent as metadata."""
    before = session.info.get(activity.VIA)
    session.info[activity.VIA] = activity.METADATA
    try:
        yield
    finally:
        if before is None:
            session.info.pop(activity.VIA, None)
        else:
            session.info[activity.VIA] = before


def _apply(session: Session, actor: str, p: Proposal) -> bool:
    a = p.aspect
    incident_id = p.entity_urn.removeprefix(PREFIX)
    entities = a.get("entities")
    if not isinstance(entities, list) or not all(isinstance(e, str) for e in entities):
        raise InvalidInput("aspect.entities: a list of asset URNs is required.")
    for text in ("type", "customType", "title", "description"):
        _checked(a, text, str, "a string")
    _checked(a, "startedAt", int, "a time in epoch milliseconds")
    status = a.get("status") if isinstance(a.get("status"), dict) else {}
    assert isinstance(status, dict)
    for text in ("state", "stage", "message"):
        _checked(status, text, str, "a string", "aspect.status")
    created = _stamp(a, "created", "aspect")
    status_updated = _stamp(status, "lastUpdated", "aspect.status")
    existing = service.get_incident(session, p.entity_urn)
    if existing is None:
        if not isinstance(a.get("type"), str):
            raise InvalidInput("aspect.type: the incident type is required, e.g. OPERATIONAL.")
        source = a.get("source") if isinstance(a.get("source"), dict) else {}
        assert isinstance(source, dict)
        service.raise_incident(
            session,
            actor,
            service.RaiseRequest(
                incident_id=incident_id,
                type=a["type"],
                custom_type=a.get("customType"),
                title=a.get("title"),
                description=a.get("description"),
                resource_urns=entities,
                source_type=_checked(source, "type", str, "a string", "aspect.source"),
                source_urn=_checked(source, "sourceUrn", str, "a URN", "aspect.source"),
                created=created,
                status_updated=status_updated,
                state=status.get("state"),
                stage=status.get("stage"),
                message=status.get("message"),
                priority=_priority(a.get("priority")),
                assignee_urns=_assignees(a.get("assignees") or []),
                assigned=_assigned(a.get("assignees") or []),
                started_at=a.get("startedAt"),
            ),
        )
        return True
    changes: dict[str, Any] = {"resource_urns": entities}
    for theirs, ours in (
        ("title", "title"),
        ("description", "description"),
        ("startedAt", "started_at"),
    ):
        if theirs in a:
            changes[ours] = a[theirs]
    if "priority" in a:
        changes["priority"] = _priority(a["priority"])
    if "assignees" in a:
        changes["assignee_urns"] = _assignees(a["assignees"])
        changes["assignee_stamps"] = _assigned(a["assignees"])
    if status.get("state"):
        changes["status"] = {k: status.get(k) for k in ("state", "stage", "message")}
        changes["status"]["lastUpdated"] = status_updated
    return service.update_incident(session, actor, p.entity_urn, changes)


def apply_incident_status(session: Session, actor: str, p: Proposal) -> bool:
    """A `status` aspect on an incident: removed: true hides it (soft delete), false restores."""
    removed = p.aspect.get("removed", False)
    if not isinstance(removed, bool):
        raise InvalidInput(f"aspect.removed: true or false is required, not {removed!r}.")
    with _as_metadata(session):
        return removal.set_removed(session, actor, p.entity_urn, removed)
