"""The Incidents page: every incident across assets, filtered, sorted and paged (or grouped) by
the database through the incident search; and the home page's lists of what is yours."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from starlette.responses import RedirectResponse, Response

from dataflare.access.roles import EDIT_ENTITY_INCIDENTS
from dataflare.catalog.queries import AssetView, names_by_urn, platforms
from dataflare.catalog.search import Criterion, Facet
from dataflare.catalog.service import actors_by_urn
from dataflare.core import vocabulary
from dataflare.core.errors import InvalidInput
from dataflare.incidents import batches
from dataflare.incidents.groups import Grouping, group_incidents
from dataflare.incidents.queries import IncidentView
from dataflare.incidents.search import search_incidents
from dataflare.web.handling import Call
from dataflare.web.incident_view import PAGE_SIZE, SORT_LABELS, IncidentListView
from dataflare.web.templating import actor_name, priority, words

HOME_LIST = 5
GROUP_SIZE = 5
GROUP_LABELS = {"asset": "Asset", "owner": "Owner", "type": "Type", "assignee": "Assignee"}
# facet of the search -> (parameter, title)
FACETS = {
    "state": ("state", "State"),
    "priority": ("priority", "Priority"),
    "stage": ("stage", "Stage"),
    "type": ("type", "Type"),
    "entities": ("asset", "Asset"),
    "assignees": ("assignee", "Assignee"),
}


@dataclass(frozen=True)
class Row:
    incident: IncidentView
    assets: list[AssetView]
    assignees: list[str]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int | None
    checked: bool


@dataclass(frozen=True)
class FacetView:
    param: str
    title: str
    options: list[Option]


@dataclass(frozen=True)
class GroupView:
    key: str
    label: str
    count: int
    rows: list[Row]
    all_url: str | None


@dataclass
class Names:
    """Display names of the assets and people a page shows, read at once."""

    assets: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)

    def person(self, urn: str) -> str:
        return self.people.get(urn) or actor_name(urn)


def rows_of(call: Call, incidents: list[IncidentView]) -> list[Row]:
    connection = call.session.connection()
    ids = [i.id for i in incidents]
    assets = batches.assets(connection, ids) if ids else {}
    assignees = batches.assignees(connection, ids) if ids else {}
    return [Row(i, assets.get(i.id, []), assignees.get(i.id, [])) for i in incidents]


def incidents_page(call: Call) -> Response:
    params = call.request.query_params
    view = IncidentListView.parse(params)
    if call.htmx:  # the address bar shows the view's own URL, without the form's empty fields
        context = list_context(call, view)
        response = call.render("incidents.html", context)
        response.headers["HX-Push-Url"] = view.url()
        return response
    if any(not value for _, value in params.multi_items()):  # a form sent without script
        return RedirectResponse(view.url(), status_code=303)
    return call.render("incidents.html", list_context(call, view))


def list_context(call: Call, view: IncidentListView, last_page: bool = False) -> dict[str, Any]:
    """What the page shows for a view (the bulk action's answer adds its outcomes). A page past
    the end is refused, or with `last_page` (after a change that emptied it) the last one shown."""
    me = call.viewer.caller.urn
    groups = [view.criteria(me)]
    grouped = bool(view.group)
    start = (view.page - 1) * PAGE_SIZE
    found = search_incidents(
        call.session,
        view.texts["query"] or "*",
        groups if groups[0] else (),
        0 if grouped else start,
        0 if grouped else PAGE_SIZE,
        view.sort,
    )
    if not grouped and found.total and not found.incidents:
        if last_page:
            return list_context(call, replace(view, page=-(-found.total // PAGE_SIZE)))
        raise InvalidInput(f"There is no page {view.page}: the view holds {found.total} incidents.")
    grouping = (
        group_incidents(
            call.session, view.texts["query"] or "*", groups, view.group, view.sort, GROUP_SIZE
        )
        if grouped
        else None
    )
    shown = [i for g in grouping.groups for i in g.incidents] if grouping else found.incidents
    rows = {r.incident.id: r for r in rows_of(call, shown)}
    names = _names(call, found.facets, grouping, view, list(rows.values()))
    pages = max(1, -(-found.total // PAGE_SIZE))
    return {
        "view": view,
        "found": found,
        "rows": [rows[i.id] for i in found.incidents],
        "groups": _group_views(view, grouping, rows, names) if grouping else [],
        "group_total": grouping.total if grouping else 0,
        "facets": _facet_views(found.facets, view, names),
        "platforms": platforms(call.session),
        "names": names,
        "sorts": SORT_LABELS,
        "group_labels": GROUP_LABELS,
        "priorities": vocabulary.PRIORITY_TO_NUMBER,
        "stages": vocabulary.STAGES,
        "may_edit_all": call.viewer.caller.has(EDIT_ENTITY_INCIDENTS),
        "first": start + 1,
        "last": start + len(found.incidents),
        "pages": pages,
        "previous_url": view.url(page=str(view.page - 1) if view.page > 2 else None)
        if view.page > 1
        else None,
        "next_url": view.url(page=str(view.page + 1)) if view.page < pages else None,
        "outcomes": [],
        "error": None,
    }


def _names(
    call: Call,
    facets: list[Facet],
    grouping: Grouping | None,
    view: IncidentListView,
    rows: list[Row],
) -> Names:
    by_field = {f.field: [v for v, _ in f.counts] for f in facets}
    assets = by_field.get("entities", []) + list(view.chosen["asset"])
    people = by_field.get("assignees", []) + list(view.chosen["assignee"] + view.chosen["owner"])
    people += [urn for row in rows for urn in row.assignees]
    if grouping and grouping.by == "asset":
        assets += [g.key for g in grouping.groups]
    elif grouping and grouping.by in ("owner", "assignee"):
        people += [g.key for g in grouping.groups if g.key]
    actors = actors_by_urn(call.session, people)
    return Names(
        names_by_urn(call.session, list(set(assets))),
        {urn: a.display_name for urn, a in actors.items() if a.display_name},
    )


def _label(param: str, value: str, names: Names) -> str:
    if param == "asset":
        return names.assets.get(value) or value
    if param in ("assignee", "owner"):
        return names.person(value) if value else "Nobody (unassigned)"
    if param == "priority":
        return priority(vocabulary.PRIORITY_TO_NUMBER.get(value))
    return words(value)


def _facet_views(facets: list[Facet], view: IncidentListView, names: Names) -> list[FacetView]:
    """Each facet's values and counts; a chosen value stays listed (to unchoose it)."""
    views = []
    by_field = {f.field: f for f in facets}
    for name, (param, title) in FACETS.items():
        counts = dict(by_field[name].counts) if name in by_field else {}
        for value in view.chosen[param]:
            counts.setdefault(value, 0)
        options = [
            Option(v, _label(param, v, names), n, v in view.chosen[param])
            for v, n in counts.items()
        ]
        views.append(FacetView(param, title, options))
    return views


def _group_views(
    view: IncidentListView, grouping: Grouping, rows: dict[int, Row], names: Names
) -> list[GroupView]:
    param = {"asset": "asset", "owner": "owner", "type": "type", "assignee": "assignee"}[
        grouping.by
    ]
    shown = []
    for group in grouping.groups:
        chosen = [*view.chosen[param], group.key]
        all_url = view.url(group="", page="", **{param: chosen}) if group.key else None
        label = _label(param, group.key, names)
        members = [rows[i.id] for i in group.incidents]
        shown.append(GroupView(group.key, label, group.count, members, all_url))
    return shown


def yours(call: Call) -> dict[str, Any]:
    """The home page's lists: active incidents assigned to the viewer, and on assets they own."""
    me = call.viewer.caller.urn
    active = Criterion("state", ("ACTIVE",))
    lists = {}
    for name, field_name in (("assigned", "assignees"), ("owned", "owners")):
        criteria = [[active, Criterion(field_name, (me,))]]
        found = search_incidents(
            call.session, "*", criteria, 0, HOME_LIST, ("priority", "ASCENDING"), facets=False
        )
        lists[name] = (found.total, rows_of(call, found.incidents))
    return lists
