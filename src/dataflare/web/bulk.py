"""Bulk actions on the Incidents page: resolve or reopen (with a message), assign, set the
priority or the stage of the selected incidents, each through the same service functions as a
change to one incident.

The whole batch is one transaction, each row in a savepoint of its own: a row that is refused
(not found, not allowed, bad input) writes nothing and is reported in words, while the rows that
succeed commit together. A row already in the asked state is left as it is, and said so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams
from starlette.responses import Response

from dataflare.access.service import can_edit_incidents
from dataflare.core import vocabulary
from dataflare.core.errors import DataflareError, Forbidden, InvalidInput, NotFound
from dataflare.incidents import service
from dataflare.incidents.models import Incident
from dataflare.web.handling import Call, Change
from dataflare.web.incident_list import list_context
from dataflare.web.incident_view import IncidentListView
from dataflare.web.people import given_assignees, known_assignees
from dataflare.web.templating import actor_name, words

ACTIONS = {
    "resolve": "Resolve",
    "reopen": "Reopen",
    "assign": "Assign",
    "priority": "Set priority",
    "stage": "Set stage",
}
MAX_ROWS = 100
NOT_ALLOWED = (
    "Not changed: you may not change incidents on {assets}. That needs the Editor role, or "
    "being an owner of every asset the incident is on."
)


@dataclass(frozen=True)
class Outcome:
    urn: str
    title: str
    changed: bool
    refused: bool
    text: str


def _apply(call: Call) -> list[Outcome]:
    urns = list(dict.fromkeys(u.strip() for u in call.form.get("urn", []) if u.strip()))
    action = call.field("action")
    if action not in ACTIONS:
        raise InvalidInput("Choose what to do with the selected incidents.")
    if not urns:
        raise InvalidInput("Select at least one incident first (tick its box in the table).")
    if len(urns) > MAX_ROWS:
        raise InvalidInput(f"At most {MAX_ROWS} incidents at a time (got {len(urns)}).")
    outcomes = []
    for urn in urns:
        try:
            with call.session.begin_nested():  # a refused row leaves nothing behind
                outcomes.append(_row(call, action, urn))
        except DataflareError as error:
            incident = service.get_incident(call.session, urn)
            title = (incident.title or urn) if incident else urn
            outcomes.append(Outcome(urn, title, False, True, error.message))
    return outcomes


def _row(call: Call, action: str, urn: str) -> Outcome:
    session, caller = call.session, call.viewer.caller
    incident = service.get_incident(session, urn)
    if incident is None:
        raise NotFound(f"There is no incident '{urn[:300]}'.")
    title = incident.title or urn
    assets = [link.asset for link in incident.assets]
    if not can_edit_incidents(session, caller, [a.urn for a in assets]):
        names = ", ".join(a.name for a in assets[:3]) + (" ..." if len(assets) > 3 else "")
        raise Forbidden(NOT_ALLOWED.format(assets=names))
    changed, text = _change(call, action, incident)
    return Outcome(urn, title, changed, False, text)


def _change(call: Call, action: str, incident: Incident) -> tuple[bool, str]:
    session, actor, urn = call.session, call.viewer.caller.urn, incident.urn
    if action in ("resolve", "reopen"):
        state = "RESOLVED" if action == "resolve" else "ACTIVE"
        if incident.state == state:
            return (
                False,
                f"Already {'resolved' if action == 'resolve' else 'active'}: left as it was.",
            )
        service.update_status(session, actor, urn, state, None, call.field("message") or None)
        return True, "Resolved." if action == "resolve" else "Reopened."
    changes: dict[str, Any]
    if action == "assign":
        current = [a.assignee_urn for a in incident.assignees]
        people = known_assignees(session, given_assignees(call), current)
        changes = {"assignee_urns": people}
        said = "Assigned to " + ", ".join(map(actor_name, people)) if people else "Unassigned"
    elif action == "priority":
        chosen = call.field("priority") or None
        changes = {"priority": chosen}
        said = f"Priority set to {words(chosen)}" if chosen else "Priority cleared"
    else:
        stage = call.field("stage") or None
        if stage is not None and stage not in vocabulary.STAGES:
            raise InvalidInput(f"Unknown stage '{stage[:40]}'.")
        changes = {"status": {"state": incident.state, "stage": stage}}
        said = f"Stage set to {words(stage)}" if stage else "Stage cleared"
    if service.update_incident(session, actor, urn, changes):
        return True, said + "."
    return False, f"{said} already: left as it was."


def _view(call: Call) -> IncidentListView:
    return IncidentListView.parse(QueryParams(call.field("view")))


def _show(call: Call, outcomes: list[Outcome]) -> Response:
    context = list_context(call, _view(call), last_page=True)
    context["outcomes"] = outcomes
    context["action"] = ACTIONS[call.field("action")]
    return call.render("incidents.html", context)


def _refused(call: Call, error: DataflareError) -> Response:
    context = list_context(call, _view(call), last_page=True)
    context["error"] = error.message
    return call.render("incidents.html", context, error.code)


bulk_change = Change(_apply, _show, _refused)
