"""One incident: its page and timeline, resolving, reopening and editing it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.responses import RedirectResponse, Response

from dataflare.access.service import can_edit_incidents, require_edit_incidents
from dataflare.core import vocabulary
from dataflare.core.errors import DataflareError, InvalidInput, NotFound
from dataflare.incidents import activity, service
from dataflare.incidents import queries as incident_queries
from dataflare.incidents.models import Incident
from dataflare.web.assets import after_change, assignee_urns, form_error
from dataflare.web.handling import Call, Change
from dataflare.web.templating import actor_name, incident_url, priority, words

NO_SUCH_INCIDENT = "There is no incident '{urn}': it may have been mistyped."


@dataclass(frozen=True)
class Entry:
    """One line of the timeline, in words."""

    at: int
    actor: str
    text: str
    message: str | None
    via: str | None  # "MCP" when an agent made the change through a tool


def incident_page(call: Call) -> Response:
    return _page(call, call.request.path_params["urn"], None)


def _page(call: Call, urn: str, error: DataflareError | None) -> Response:
    session = call.session
    incident = service.get_incident(session, urn)
    if incident is None:
        raise NotFound(NO_SUCH_INCIDENT.format(urn=urn))
    assets = incident_queries.assets_of(session.connection(), incident.id)
    context: dict[str, Any] = {
        "incident": incident,
        "assets": assets,
        "assignees": incident_queries.assignees_of(session.connection(), incident.id),
        "timeline": [_entry(e) for e in activity.timeline(session, incident.id)],
        "may_edit": can_edit_incidents(session, call.viewer.caller, [a.urn for a in assets]),
        "priorities": vocabulary.PRIORITY_TO_NUMBER,
        "stages": vocabulary.STAGES,
        "error": error.message if error else None,
    }
    return call.render("incident.html", context, error.code if error else 200)


def _change_status(call: Call) -> None:
    urn, state = call.field("urn"), call.field("state")
    _require_edit(call, urn)
    message = call.field("message") or None
    service.update_status(call.session, call.viewer.caller.urn, urn, state, None, message)


def _status_changed(call: Call, _: None) -> Response:
    if call.field("asset"):
        return after_change(call, call.field("asset"), call.field("show"))
    return RedirectResponse(incident_url(call.field("urn")), status_code=303)


def _status_refused(call: Call, error: DataflareError) -> Response:
    if call.htmx:
        return form_error(call, error, call.field("error_target") or "#status-error")
    return _page(call, call.field("urn"), error)


# Resolve (with an optional message) or reopen, from the asset page or the incident's.
change_status = Change(_change_status, _status_changed, _status_refused)


def _edit(call: Call) -> None:
    urn = call.field("urn")
    incident = _require_edit(call, urn)
    if not call.field("title"):
        raise InvalidInput("An incident needs a title.")
    changes: dict[str, Any] = {
        "title": call.field("title"),
        "description": call.field("description") or None,
        "priority": call.field("priority") or None,
        "assignee_urns": assignee_urns(call.field("assignees")),
    }
    stage = call.field("stage") or None
    if stage != incident.stage:
        changes["status"] = {"state": incident.state, "stage": stage}
    service.update_incident(call.session, call.viewer.caller.urn, urn, changes)


edit = Change(
    _edit,
    lambda call, _: RedirectResponse(incident_url(call.field("urn")), status_code=303),
    lambda call, error: _page(call, call.field("urn"), error),
)


def _require_edit(call: Call, urn: str) -> Incident:
    incident = service.get_incident(call.session, urn)
    if incident is None:
        raise NotFound(NO_SUCH_INCIDENT.format(urn=urn))
    assets = [link.asset.urn for link in incident.assets]
    require_edit_incidents(call.session, call.viewer.caller, assets)
    return incident


def _entry(row: Any) -> Entry:
    old = json.loads(row.old_value) if row.old_value else None
    new = json.loads(row.new_value) if row.new_value else None
    via = row.via.upper() if row.via else None
    return Entry(row.at, actor_name(row.actor), describe(row.kind, old, new), row.message, via)


def describe(kind: str, old: Any, new: Any) -> str:
    """What an activity entry did, in words."""
    if kind == "RAISED":
        return "raised the incident"
    if kind == "STATE":
        return "resolved the incident" if new == "RESOLVED" else "reopened the incident"
    if kind == "STAGE":
        return f"set the stage to {words(new)}" if new else "cleared the stage"
    if kind == "PRIORITY":
        shown = priority(vocabulary.PRIORITY_TO_NUMBER.get(new)) if isinstance(new, str) else new
        return f"set the priority to {shown}" if new else "cleared the priority"
    if kind == "ASSIGNEES":
        names = ", ".join(actor_name(u) for u in new or [])
        return f"assigned it to {names}" if names else "removed the assignees"
    if kind == "MESSAGE":
        return "added a note"
    if kind == "RAISED_AGAIN":  # a raise with the dedup key of this active incident
        return f"raised it again ({new['count']} raises in all)"
    if kind == "REMOVED":  # a status aspect sent as metadata
        return "removed the incident (soft delete)" if new else "restored the incident"
    return f"changed the {words(kind).lower()}"
