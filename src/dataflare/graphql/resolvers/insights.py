"""incidentStats: one service call, its answer in the API's names."""

from __future__ import annotations

from typing import Any

from ariadne import QueryType
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from dataflare.core.config import figures_exact_up_to
from dataflare.graphql.context import Info
from dataflare.incidents.stats import incident_stats
from dataflare.incidents.stats_values import Durations, Figures, StatsFilters

query = QueryType()

# The figures each field of IncidentStats needs read (incidents/stats.py reads only those).
FIELD_PARTS = {
    "totals": "totals",
    "groups": "groups",
    "buckets": "buckets",
    "noisiestAssets": "noisiest",
}


@query.field("incidentStats")
def resolve_incident_stats(_: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    given = input.get("filters") or {}
    filters = StatsFilters(
        platforms=tuple(given.get("platforms") or ()),
        owners=tuple(given.get("owners") or ()),
        assets=tuple(given.get("assets") or ()),
        types=tuple(given.get("types") or ()),
        priorities=tuple(given.get("priorities") or ()),
    )
    stats = incident_stats(
        info.context.session,
        input["from"],
        input["to"],
        input.get("groupBy"),
        input.get("interval"),
        filters,
        _parts(info),
        figures_exact_up_to(),
    )
    groups = sorted(stats.groups.items(), key=lambda pair: (-pair[1].raised, pair[0]))
    return {
        "from": stats.start,
        "to": stats.end,
        "totals": figures(stats.totals),
        "groups": [{"key": key, "figures": figures(value)} for key, value in groups],
        "buckets": [
            {
                "start": b.start,
                "end": b.end,
                "raised": b.raised,
                "resolved": b.resolved,
                "openAtEnd": b.open_at_end,
            }
            for b in stats.buckets
        ],
        "noisiestAssets": [
            {"urn": a.urn, "name": a.name, "raised": a.raised} for a in stats.noisiest
        ],
    }


def figures(value: Figures) -> dict[str, Any]:
    return {
        "raised": value.raised,
        "resolved": value.resolved,
        "openAtEnd": value.open_at_end,
        "timeToAcknowledge": durations(value.time_to_acknowledge),
        "timeToResolve": durations(value.time_to_resolve),
    }


def durations(value: Durations) -> dict[str, Any]:
    return {"count": value.count, "median": value.median, "p90": value.p90, "exact": value.exact}


def _parts(info: Info) -> frozenset[str]:
    """What the query selects of IncidentStats, over every node of the field (a field asked
    twice with the same arguments is merged into one, each keeping its own selection)."""
    names: set[str] = set()
    for node in info.field_nodes:
        names |= _selected(node.selection_set, info)
    return frozenset(FIELD_PARTS[name] for name in names)


def _selected(selection_set: SelectionSetNode | None, info: Info) -> set[str]:
    """The field names asked for directly under a selection, through its fragments."""
    names: set[str] = set()
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            if selection.name.value in FIELD_PARTS:
                names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names |= _selected(selection.selection_set, info)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            names |= _selected(fragment.selection_set if fragment else None, info)
    return names
