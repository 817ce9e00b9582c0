"""Home and search: find assets by text, narrow them with facets, see which are unhealthy."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.responses import Response

from dataflare.assertions.reading import check_health
from dataflare.catalog.search import Criterion, Facet, search
from dataflare.catalog.service import actors_by_urn
from dataflare.core.errors import InvalidInput
from dataflare.incidents.overview import highest_active_priority
from dataflare.web.handling import Call
from dataflare.web.incident_list import yours
from dataflare.web.templating import ENTITY_TYPE_LABELS, actor_name, platform_name

PAGE_SIZE = 10
HOME_LIST = 5  # unhealthy assets listed on the home page
# search parameter -> the search field it filters on
FILTERS = {
    "type": "_entityType",
    "platform": "platform",
    "owner": "owners",
    "active": "hasActiveIncidents",
}
ACTIVE_LABELS = {"true": "Has active incidents", "false": "No active incidents"}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    checked: bool


@dataclass(frozen=True)
class FacetView:
    param: str
    title: str
    options: list[Option]


def home(call: Call) -> Response:
    unhealthy = search(call.session, "*", or_filters=[[_active()]], count=HOME_LIST)
    context = {
        "unhealthy": unhealthy.total,
        "assets": unhealthy.assets,
        "checks": check_health(call.session, [a.urn for a in unhealthy.assets]),
        "yours": yours(call),
    }
    return call.render("home.html", context)


def _active() -> Criterion:
    return Criterion("hasActiveIncidents", ("true",))


def search_page(call: Call) -> Response:
    params = call.request.query_params
    query = params.get("query", "").strip()
    chosen = {param: params.getlist(param) for param in FILTERS}
    page = _page_number(params.get("page", "1"))
    criteria = _criteria(chosen)
    found = search(
        call.session,
        query or "*",
        or_filters=[criteria] if criteria else (),
        start=(page - 1) * PAGE_SIZE,
        count=PAGE_SIZE,
    )
    if found.total and not found.assets:
        raise InvalidInput(f"There is no page {page}: the search found {found.total} assets.")
    facets = _facet_views(call, _own_facets(call, query, chosen, found.facets), chosen)
    base = [("query", query)] + [(p, v) for p, values in chosen.items() for v in values]
    context = {
        "query": query,
        "found": found,
        "highest": highest_active_priority(
            call.session, [a.id for a in found.assets if a.active_incidents]
        ),
        "checks": check_health(call.session, [a.urn for a in found.assets]),
        "facets": facets,
        "page": page,
        "pages": max(1, -(-found.total // PAGE_SIZE)),
        "first": found.start + 1,
        "last": found.start + len(found.assets),
        "previous_url": _url(base, page - 1) if page > 1 else None,
        "next_url": _url(base, page + 1) if found.start + PAGE_SIZE < found.total else None,
    }
    return call.render("search.html", context)


def _criteria(chosen: dict[str, list[str]], leaving_out: str | None = None) -> list[Criterion]:
    return [
        Criterion(FILTERS[param], tuple(_search_values(param, values)))
        for param, values in chosen.items()
        if values and param != leaving_out
    ]


def _own_facets(
    call: Call, query: str, chosen: dict[str, list[str]], facets: list[Facet]
) -> list[Facet]:
    """The facets, each of a group with a choice counted without that group's own filter: its
    other values stay listed, with how many they would add (choices in a group are OR'ed)."""
    by_field = {facet.field: facet for facet in facets}
    for param, values in chosen.items():
        if not values:
            continue
        others = _criteria(chosen, leaving_out=param)
        without = search(call.session, query or "*", or_filters=[others] if others else (), count=0)
        field = FILTERS[param]
        by_field[field] = next(
            (f for f in without.facets if f.field == field), Facet(field, field, [])
        )
    return list(by_field.values())


def _page_number(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput(f"Page '{raw}' is not a page number: use 1, 2, 3 ...")
    return int(raw)


def _search_values(param: str, values: list[str]) -> list[str]:
    if param == "platform":
        return [f"urn:li:dataPlatform:{platform_name(v)}" for v in values]
    return values


def _url(base: list[tuple[str, str]], page: int) -> str:
    return "/search?" + urlencode([*base, ("page", str(page))])


def _facet_views(call: Call, facets: list[Facet], chosen: dict[str, list[str]]) -> list[FacetView]:
    """Each facet's values with their counts; a chosen value stays listed (to unchoose it)
    even when no match has it any more."""
    by_field = {facet.field: facet for facet in facets}
    owners = [v for f in facets if f.field == "owners" for v, _ in f.counts] + chosen["owner"]
    actors = actors_by_urn(call.session, owners)
    views = []
    for param, field in FILTERS.items():
        counts = dict(by_field[field].counts) if field in by_field else {}
        if param == "platform":
            counts = {platform_name(v): n for v, n in counts.items()}
        for value in chosen[param]:
            counts.setdefault(value, 0)
        if param == "active":  # "Has active incidents" first, then "No active incidents"
            counts = dict(sorted(counts.items(), key=lambda item: item[0] != "true"))
        options = []
        for value, count in counts.items():
            if param == "owner":
                actor = actors.get(value)
                label = (actor.display_name if actor else None) or actor_name(value)
            elif param == "type":
                label = ENTITY_TYPE_LABELS.get(value, value)
            elif param == "active":
                label = ACTIVE_LABELS.get(value, value)
            else:
                label = value
            options.append(Option(value, label, count, value in chosen[param]))
        title = {"type": "Type", "platform": "Platform", "owner": "Owned by"}.get(
            param, "Has Active Incidents"
        )
        views.append(FacetView(param, title, options))
    return views
