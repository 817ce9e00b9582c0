"""Resolvers of searchAcrossEntities, scrollAcrossEntities and searchAcrossLineage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ariadne import QueryType

from dataflare.catalog import lineage
from dataflare.catalog.queries import AssetView
from dataflare.catalog.search import Criterion, Facet, search
from dataflare.core.errors import InvalidInput
from dataflare.graphql import scroll_ids
from dataflare.graphql.context import Info
from dataflare.graphql.limits import in_a_list, page_size
from dataflare.incidents.search import search_incidents

search_query = QueryType()


def _criteria(or_filters: list[dict[str, Any]] | None) -> list[list[Criterion]]:
    groups = []
    for group in or_filters or []:
        criteria = []
        for given in group.get("and") or []:
            values = list(given.get("values") or [])
            if given.get("value") is not None:
                values.append(given["value"])
            criteria.append(
                Criterion(
                    field=given["field"],
                    values=tuple(values),
                    condition=given.get("condition") or "EQUAL",
                    negated=bool(given.get("negated")),
                )
            )
        groups.append(criteria)
    return groups


def _facets(facets: Sequence[Facet]) -> list[dict[str, Any]]:
    return [
        {
            "field": f.field,
            "displayName": f.display_name,
            "aggregations": [{"value": v, "count": n} for v, n in f.counts],
        }
        for f in facets
    ]


def _page_size(info: Info, input: dict[str, Any], page_type: str) -> int:
    requested = 10 if input.get("count") is None else input["count"]
    return page_size(requested, page_type, in_a_list(info.path))


def _sort(given: dict[str, Any] | None) -> tuple[str, str] | None:
    """The first criterion of a SearchSortInput, as (field, order)."""
    if not given:
        return None
    criteria = ([given["sortCriterion"]] if given.get("sortCriterion") else []) + list(
        given.get("sortCriteria") or []
    )
    return (criteria[0]["field"], criteria[0]["sortOrder"]) if criteria else None


@search_query.field("searchAcrossEntities")
def resolve_search(_: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    types: list[str] = input.get("types") or []
    if "INCIDENT" in types:
        return _incident_search(info, input, types)
    if _sort(input.get("sortInput")) is not None:
        raise InvalidInput(
            "sortInput orders incident searches (types: [INCIDENT]); assets come best text "
            "match first, then by name."
        )
    page = search(
        info.context.session,
        input["query"],
        input.get("types") or (),
        _criteria(input.get("orFilters")),
        input.get("start") or 0,
        _page_size(info, input, input.get("pageType", "SearchResults")),
        include_removed=bool((input.get("searchFlags") or {}).get("includeSoftDeleted")),
    )
    shown = [AssetView.of(a) for a in page.assets]
    info.context.loader.saw_assets(shown)
    return {
        "start": page.start,
        "count": len(page.assets),
        "total": page.total,
        "searchResults": [{"entity": a, "extraProperties": []} for a in shown],
        "facets": _facets(page.facets),
    }


@search_query.field("scrollAcrossEntities")
def resolve_scroll(_: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    """searchAcrossEntities's pages one after the other, from the offset the scrollId holds."""
    start = scroll_ids.start_of(input.get("scrollId"))
    page = resolve_search(_, info, {**input, "start": start, "pageType": "ScrollResults"})
    following = start + page["count"]
    more = page["count"] > 0 and following < page["total"]
    return {
        "nextScrollId": scroll_ids.make(following) if more else None,
        "count": page["count"],
        "total": page["total"],
        "searchResults": page["searchResults"],
        "facets": page["facets"],
    }


def _incident_search(info: Info, input: dict[str, Any], types: list[str]) -> dict[str, Any]:
    """Incidents across all assets, as DataHub searches them (types: [INCIDENT])."""
    if len(set(types)) > 1:
        raise InvalidInput(
            "INCIDENT is searched on its own: ask for types: [INCIDENT], or for asset types "
            "without it."
        )
    page = search_incidents(
        info.context.session,
        input["query"],
        _criteria(input.get("orFilters")),
        input.get("start") or 0,
        _page_size(info, input, input.get("pageType", "SearchResults")),
        _sort(input.get("sortInput")),
        include_removed=bool((input.get("searchFlags") or {}).get("includeSoftDeleted")),
    )
    info.context.loader.saw_incidents(page.incidents)
    return {
        "start": page.start,
        "count": len(page.incidents),
        "total": page.total,
        "searchResults": [{"entity": i, "extraProperties": []} for i in page.incidents],
        "facets": _facets(page.facets),
    }


def _split_degree(groups: list[list[Criterion]]) -> tuple[list[list[Criterion]], set[str]]:
    """Take the `degree` filters out: they narrow the lineage walk, not the search."""
    degrees: set[str] = set()
    rest = []
    for group in groups:
        for criterion in group:
            if criterion.field == "degree":
                if not set(criterion.values) <= {"1", "2", "3+"}:
                    raise InvalidInput("degree takes the values '1', '2' and '3+'.")
                degrees.update(criterion.values)
        rest.append([c for c in group if c.field != "degree"])
    return [g for g in rest if g] if any(rest) else [], degrees


@search_query.field("searchAcrossLineage")
def resolve_lineage_search(_: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    groups, allowed = _split_degree(_criteria(input.get("orFilters")))
    page = search(
        info.context.session,
        input.get("query") or "*",
        input.get("types") or (),
        groups,
        input.get("start") or 0,
        _page_size(info, input, "SearchAcrossLineageResults"),
        within=lineage.by_degrees(input["urn"], input["direction"], allowed),
    )
    views = [AssetView.of(a) for a in page.assets]
    info.context.loader.saw_assets(views)
    return {
        "start": page.start,
        "count": len(page.assets),
        "total": page.total,
        "searchResults": [
            {"entity": view, "degree": page.degrees[a.id]}
            for view, a in zip(views, page.assets, strict=True)
        ],
        "facets": _facets(page.facets),
    }
