"""The asset page: what the asset is, its health, its lineage, its incidents, and raising one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from dataflare.access.service import can_edit_incidents, require_edit_incidents
from dataflare.assertions import reading
from dataflare.catalog import lineage
from dataflare.catalog.queries import AssetView
from dataflare.catalog.service import actors_by_urn, owners_of, view
from dataflare.core import vocabulary
from dataflare.core.errors import DataflareError, InvalidInput, NotFound
from dataflare.core.urns import ASSET_KINDS, dataset_of_column, entity_type_of, parse_asset
from dataflare.incidents import batches, service
from dataflare.incidents import queries as incident_queries
from dataflare.incidents.health import incident_health
from dataflare.incidents.queries import IncidentView
from dataflare.web.handling import Call, Change
from dataflare.web.people import given_assignees, known_assignees, suggestions
from dataflare.web.templating import asset_url

TABS = ("overview", "incidents", "assertions")
INCIDENT_FILTERS = {"active": "ACTIVE", "resolved": "RESOLVED", "all": None}
INCIDENTS_PER_PAGE = 50
CANNOT_EDIT = (
    "You can read this asset's incidents, but not raise or change them: that needs the Editor "
    "role, or being an owner of the asset. Ask an administrator."
)


@dataclass(frozen=True)
class IncidentRow:
    incident: IncidentView
    assignees: list[str]
    columns: list[str]  # on a dataset's page: the incident's columns of it, by path


def asset_page(call: Call) -> Response:
    urn = call.request.path_params["urn"]
    tab = call.request.query_params.get("tab", "overview")
    show = call.request.query_params.get("show", "active")
    if tab not in TABS or show not in INCIDENT_FILTERS:
        tab, show = "overview", "active"
    context = asset_context(call, urn, tab, show)
    if not context["asset"].exists:  # never named by metadata or an incident
        context["main"] = "fragments/asset_unseen.html"
        status = 404
    else:
        context["main"] = "fragments/asset_main.html"
        status = 200
    if context["may_edit"] and not call.htmx:  # the Raise dialog's assignee suggestions
        context["people"] = suggestions(call.session)
    return call.render("asset.html" if not call.htmx else context["main"], context, status)


def asset_context(call: Call, urn: str, tab: str, show: str) -> dict[str, Any]:
    kind = entity_type_of(urn)
    if kind not in ASSET_KINDS:
        raise NotFound(
            f"There is no asset '{urn}': an asset URN looks like "
            "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)."
        )
    session = call.session
    asset = view(session, urn, kind)
    owners = owners_of(session, urn) if asset.exists else []
    upstream = lineage.neighbours(session, urn, lineage.UPSTREAM)
    downstream = lineage.neighbours(session, urn, lineage.DOWNSTREAM)
    context: dict[str, Any] = {
        "asset": asset,
        "health": incident_health(session, urn),
        "owners": owners,
        "actors": actors_by_urn(session, [o.owner_urn for o in owners]),
        "upstream": upstream,
        "downstream": downstream,
        # the assertion health of the asset and of its neighbours (their badges), in one go
        "checks": reading.check_health(
            session, [urn, *(a.urn for a in upstream), *(a.urn for a in downstream)]
        ),
        "may_edit": can_edit_incidents(session, call.viewer.caller, [urn]),
        "cannot_edit": CANNOT_EDIT,
        "tab": tab,
        "show": show,
        "incident_types": vocabulary.INCIDENT_TYPES,
        "priorities": vocabulary.PRIORITY_TO_NUMBER,
        "stages": vocabulary.STAGES,
    }
    if tab == "incidents":
        context.update(_incidents(call, asset, show))
    elif tab == "assertions":
        listed, total = reading.on_asset(session, asset.id) if asset.id is not None else ([], 0)
        context.update(assertions=listed, assertions_total=total)
    return context


def _columns(session: Session, asset: AssetView, ids: list[int]) -> dict[int, list[str]]:
    """Incident id -> the paths of the dataset's columns it is raised on."""
    if asset.kind != "dataset" or not ids:
        return {}
    found: dict[int, list[str]] = {}
    for incident_id, linked in batches.assets(session.connection(), ids).items():
        columns = [parse_asset(a.urn) for a in linked if a.kind == "schemaField"]
        paths = [c.name for c in columns if dataset_of_column(c) == asset.urn]
        if paths:
            found[incident_id] = paths
    return found


def _incidents(call: Call, asset: AssetView, show: str) -> dict[str, Any]:
    session = call.session
    filters = incident_queries.IncidentFilter(state=INCIDENT_FILTERS[show])
    page = incident_queries.list_incidents(session, asset, filters, count=INCIDENTS_PER_PAGE)
    everything = incident_queries.list_incidents(
        session, asset, incident_queries.IncidentFilter(), count=0
    ).total
    ids = [i.id for i in page.incidents]
    assigned = batches.assignees(session.connection(), ids) if ids else {}
    columns = _columns(session, asset, ids)
    rows = [IncidentRow(i, assigned.get(i.id, []), columns.get(i.id, [])) for i in page.incidents]
    active = asset.active_incidents
    return {
        "incidents": rows,
        "shown_total": page.total,
        "counts": {"active": active, "resolved": everything - active, "all": everything},
        "summary": summary_line(active, everything),
    }


def summary_line(active: int, everything: int) -> str:
    if not everything:
        return "No incidents have been raised"
    if not active:
        return "There are no active incidents"
    if active == 1:
        return "There is 1 active incident"
    return f"There are {active} active incidents"


def _raise(call: Call) -> None:
    urn = call.field("asset")
    require_edit_incidents(call.session, call.viewer.caller, [urn])
    service.raise_incident(call.session, call.viewer.caller.urn, raise_request(call, urn))


# The Raise Incident dialog's Add: create it, then show the asset's Incidents tab.
raise_incident = Change(
    _raise,
    lambda call, _: after_change(call, call.field("asset"), "active", "Incident raised."),
    lambda call, error: form_error(call, error, "#raise-error"),
)


def raise_request(call: Call, urn: str) -> service.RaiseRequest:
    incident_type = call.field("type")
    custom = call.field("custom_type") if incident_type == "CUSTOM" else None
    if not call.field("title"):
        raise InvalidInput("Give the incident a title, so people know what is wrong.")
    return service.RaiseRequest(
        type=incident_type,
        custom_type=custom,
        resource_urn=urn,
        title=call.field("title"),
        description=call.field("description") or None,
        priority=call.field("priority") or None,
        stage=call.field("stage") or None,
        assignee_urns=known_assignees(call.session, given_assignees(call)),
    )


def form_error(call: Call, error: DataflareError, target: str) -> Response:
    """A refused form: the dialog stays open and shows why (htmx puts it in `target`)."""
    if not call.htmx:
        raise error
    headers = {"HX-Retarget": target, "HX-Reswap": "innerHTML"}
    return call.render("fragments/error.html", {"message": error.message}, error.code, **headers)


def after_change(
    call: Call, urn: str, show: str, done: str, refusal: DataflareError | None = None
) -> Response:
    """After a change from the asset page: its Incidents tab, current (or the page itself), with
    what was `done` announced and focus on the tab's summary; a refusal that made the tab's state
    plain (it was out of date) is said above it instead."""
    show = show if show in INCIDENT_FILTERS else "active"
    if not call.htmx:
        if refusal is not None:
            raise refusal
        return RedirectResponse(f"{asset_url(urn)}?tab=incidents&show={show}", status_code=303)
    context = asset_context(call, urn, "incidents", show)
    context["notice"] = refusal.message if refusal else None
    said = refusal.message if refusal else done
    context["announce"] = f"{said} {context['summary']}."
    status = refusal.code if refusal else 200
    return call.render("fragments/asset_main.html", context, status)
