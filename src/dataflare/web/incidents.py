"""One incident: its page and timeline, resolving, reopening and editing it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.responses import RedirectResponse, Response

from dataflare.access.service import can_edit_incidents, require_edit_incidents
from dataflare.core import vocabulary
from dataflare.core.clock import format_time
from dataflare.core.errors import Conflict, DataflareError, InvalidInput, NotFound
from dataflare.core.urns import parse_asset
from dataflare.incidents import activity, service
from dataflare.incidents import queries as incident_queries
from dataflare.incidents.models import Incident
from dataflare.web.assertions import incident_check
from dataflare.web.assets import after_change, form_error
from dataflare.web.handling import Call, Change
from dataflare.web.people import field_value, given_assignees, known_assignees, suggestions
from dataflare.web.templating import actor_name, incident_url, priority, words

NO_SUCH_INCIDENT = "There is no incident '{urn}': it may have been mistyped."
# The page was out of date (another tab, another person, or Back): say so rather than write a
# change that changes nothing. The API stays idempotent; only the UI refuses.
ALREADY = {
    "RESOLVED": "This incident is already resolved: nothing was changed.",
    "ACTIVE": "This incident is already active: nothing was changed.",
}


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


def _page(call: Call, urn: str, error: DataflareError | None, editing: bool = False) -> Response:
    """The incident's page; `editing` opens the edit form, with what was sent kept in it (the
    form was refused: `error` says why)."""
    session = call.session
    incident = service.get_incident(session, urn)
    if incident is None:
        raise NotFound(NO_SUCH_INCIDENT.format(urn=urn))
    assets = incident_queries.assets_of(session.connection(), incident.id)
    assignees = incident_queries.assignees_of(session.connection(), incident.id)
    may_edit = can_edit_incidents(session, call.viewer.caller, [a.urn for a in assets])
    context: dict[str, Any] = {
        "incident": incident,
        "assets": assets,
        "assignees": assignees,
        "timeline": [_entry(e) for e in activity.timeline(session, incident.id)],
        "may_edit": may_edit,
        "priorities": vocabulary.PRIORITY_TO_NUMBER,
        "stages": vocabulary.STAGES,
        "incident_types": vocabulary.INCIDENT_TYPES,
        "error": error.message if error else None,
        # the Edit link of a list (?edit=1#edit) opens the form, as does a refused edit
        "edit_open": editing or call.request.query_params.get("edit") == "1",
        "form": _edit_form(call, incident, assets, assignees, editing),
    }
    context.update(incident_check(call, incident.source_urn))
    if may_edit:
        context["people"] = suggestions(session)
    return call.render("incident.html", context, error.code if error else 200)


def _edit_form(
    call: Call, incident: Incident, assets: list[Any], assignees: list[str], sent: bool
) -> dict[str, Any]:
    """The edit form's values: the incident's, or what was sent when the form was refused."""
    if sent:
        return {
            "title": call.field("title"),
            "description": call.field("description"),
            "type": call.field("type"),
            "custom_type": call.field("custom_type"),
            "assets": call.field("assets"),
            "assignees": given_assignees(call),
        }
    return {
        "title": incident.title or "",
        "description": incident.description or "",
        "type": incident.incident_type,
        "custom_type": incident.custom_type or "",
        "assets": "\n".join(a.urn for a in assets),
        "assignees": [field_value(a) for a in assignees],
    }


def _change_status(call: Call) -> None:
    urn, state = call.field("urn"), call.field("state")
    incident = _require_edit(call, urn)
    if incident.state == state:
        raise Conflict(ALREADY[state])
    message = call.field("message") or None
    service.update_status(call.session, call.viewer.caller.urn, urn, state, None, message)


def _status_changed(call: Call, _: None) -> Response:
    if call.field("asset"):
        done = "Incident resolved." if call.field("state") == "RESOLVED" else "Incident reopened."
        return after_change(call, call.field("asset"), call.field("show"), done)
    return RedirectResponse(incident_url(call.field("urn")), status_code=303)


def _status_refused(call: Call, error: DataflareError) -> Response:
    if isinstance(error, Conflict) and call.field("asset"):  # the tab was out of date: renew it
        return after_change(call, call.field("asset"), call.field("show"), "", error)
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
    incident_type = call.field("type") or incident.incident_type
    current = [a.assignee_urn for a in incident.assignees]
    changes: dict[str, Any] = {
        "title": call.field("title"),
        "description": call.field("description") or None,
        "priority": call.field("priority") or None,
        "incident_type": incident_type,
        "custom_type": call.field("custom_type") or None if incident_type == "CUSTOM" else None,
        "assignee_urns": known_assignees(call.session, given_assignees(call), current),
    }
    if "assets" in call.form:  # a form without the field leaves them as they are
        resources = [line.strip() for line in call.field("assets").splitlines() if line.strip()]
        if not resources:
            raise InvalidInput("An incident needs at least one asset: give one URN a line.")
        require_edit_incidents(call.session, call.viewer.caller, resources)  # added ones too
        changes["resource_urns"] = resources
    stage = call.field("stage") or None
    if stage != incident.stage:
        changes["status"] = {"state": incident.state, "stage": stage}
    service.update_incident(call.session, call.viewer.caller.urn, urn, changes)


edit = Change(
    _edit,
    lambda call, _: RedirectResponse(incident_url(call.field("urn")), status_code=303),
    lambda call, error: _page(call, call.field("urn"), error, editing=True),
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
    """What an activity entry did, in words, with the value it replaced."""
    if kind == "RAISED":
        return "raised the incident"
    if kind == "STATE":
        return "resolved the incident" if new == "RESOLVED" else "reopened the incident"
    if kind == "MESSAGE":
        return "added a note"
    if kind == "RAISED_AGAIN":  # a raise with the dedup key of this active incident
        return f"raised it again ({new['count']} raises in all)"
    if kind == "REMOVED":  # a status aspect sent as metadata
        return "removed the incident (soft delete)" if new else "restored the incident"
    shown, was = _shown(kind, new), _shown(kind, old)
    field = "start time" if kind == "STARTED_AT" else words(kind).lower()
    before = f" (was {was})" if was else ""
    if kind == "ASSIGNEES":
        return f"assigned it to {shown}{before}" if shown else f"removed the assignees{before}"
    if kind == "STAGE" or kind == "PRIORITY":
        return f"set the {field} to {shown}{before}" if shown else f"cleared the {field}{before}"
    return f"changed the {field} to {shown}{before}" if shown else f"cleared the {field}{before}"


def _shown(kind: str, value: Any) -> str:
    """A timeline value as a person reads it; empty for none."""
    if value is None or value == []:
        return ""
    if kind == "PRIORITY":
        return priority(vocabulary.PRIORITY_TO_NUMBER.get(value)) if isinstance(value, str) else ""
    if kind == "STAGE":
        return words(value)
    if kind == "ASSIGNEES":
        return ", ".join(actor_name(u) for u in value)
    if kind == "ASSETS":
        return ", ".join(_asset_name(u) for u in value)
    if kind == "TYPE" and isinstance(value, dict):
        custom = value.get("customType")
        return f"{words(value['type'])} ({custom})" if custom else words(value["type"])
    if kind == "STARTED_AT" and isinstance(value, int):
        return format_time(value)
    text = str(value)
    return f"“{text[:77]}…”" if len(text) > 80 else f"“{text}”"


def _asset_name(urn: str) -> str:
    try:
        return parse_asset(urn).name
    except InvalidInput:
        return urn
