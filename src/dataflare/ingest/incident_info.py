"""An `incidentInfo` aspect (DataHub's test data and its Monte Carlo connector write incidents
as metadata) creates the incident, or brings an existing one up to date."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dataflare.core.errors import InvalidInput
from dataflare.core.vocabulary import NUMBER_TO_PRIORITY
from dataflare.incidents import service
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


def apply_incident_info(session: Session, actor: str, p: Proposal) -> bool:
    """Whether it changed anything: the same aspect again changes nothing."""
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
                source_type=source.get("type"),
                source_urn=_checked(source, "sourceUrn", str, "a URN", "aspect.source"),
                state=status.get("state"),
                stage=status.get("stage"),
                message=status.get("message"),
                priority=_priority(a.get("priority")),
                assignee_urns=_assignees(a.get("assignees") or []),
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
    if status.get("state"):
        changes["status"] = {k: status.get(k) for k in ("state", "stage", "message")}
    return service.update_incident(session, actor, p.entity_urn, changes)
