"""The requests the catalog benchmark measures, with the totals the server must answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from catalog_data import SEARCH_WORD, USERS, Catalog, owner_urn
from catalog_seed import Seeder

SEARCH = (
    "query search($input: SearchAcrossEntitiesInput!) { searchAcrossEntities(input: $input) { "
    "start count total searchResults { entity { urn type } } "
    "facets { field displayName aggregations { value count } } } }"
)
LINEAGE = (
    "query lineage($input: SearchAcrossLineageInput!) { searchAcrossLineage(input: $input) { "
    "start count total searchResults { degree entity { urn type } } "
    "facets { field displayName aggregations { value count } } } }"
)
ASSET_PAGE = (
    "query asset($urn: String!) { dataset(urn: $urn) { urn name exists "
    "properties { name description } status { removed } "
    "ownership { owners { type owner { ... on CorpUser { urn username } "
    "... on CorpGroup { urn name } } } } "
    "health { status message } "
    "incidents(state: ACTIVE, start: 0, count: 10) { total incidents { urn title } } "
    "upstream: lineage(input: {direction: UPSTREAM}) { total relationships { degree "
    "entity { urn type ... on Dataset { health { status } } } } } "
    "downstream: lineage(input: {direction: DOWNSTREAM}) { total relationships { degree "
    "entity { urn type } } } } }"
)
HOT = (
    "query hot($urn: String!) { dataset(urn: $urn) { "
    "incidents(start: 0, count: 10) { total incidents { urn title status { state } } } "
    "health { status message activeIncidentHealthDetails { count latestIncidentUrn } } } }"
)
# Kinds of requests, for the growth goals: searches (2x) and the hot dataset (1.5x).
SEARCH_KIND, HOT_KIND, OTHER_KIND = "search", "hot", "other"


@dataclass(frozen=True)
class Query:
    name: str
    kind: str
    body: bytes
    expected_total: int | None  # None: not checked (the answer has no total)


def _body(query: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


def _search(name: str, expected: int, query: str = "*", *criteria: dict[str, Any]) -> Query:
    given: dict[str, Any] = {"query": query, "start": 0, "count": 10}
    if criteria:
        given["orFilters"] = [{"and": list(criteria)}]
    return Query(name, SEARCH_KIND, _body(SEARCH, {"input": given}), expected)


def _field(name: str, *values: str, negated: bool = False) -> dict[str, Any]:
    return {"field": name, "values": list(values), "negated": negated}


def queries(catalog: Catalog, seeder: Seeder, start_urn: str) -> list[Query]:
    size = len(seeder.urns)
    team = owner_urn(USERS)  # team00, the first group: the owner of 1 domain in 50
    middle = len(seeder.urns) // 2
    an_asset, its_name = seeder.urns[middle], seeder.names[middle]
    closure = catalog.upstream_closure(start_urn)
    either = [
        {"and": [_field("_entityType", "CHART"), _field("platform", "looker")]},
        {"and": [_field("_entityType", "DASHBOARD")]},
    ]
    or_of_ands = {"query": "*", "start": 0, "count": 10, "orFilters": either}
    lineage = {"urn": start_urn, "direction": "UPSTREAM", "query": "*", "start": 0, "count": 10}
    found = [
        _search("search *", size),
        _search(
            f"search {SEARCH_WORD}", catalog.matches(set(catalog.text), SEARCH_WORD), SEARCH_WORD
        ),
        _search("* +incidents", len(seeder.broken), "*", _field("hasActiveIncidents", "true")),
        _search(
            "* incidents=false",
            size - len(seeder.broken),
            "*",
            _field("hasActiveIncidents", "false"),
        ),
        _search("* type=CHART", seeder.kinds["chart"], "*", _field("_entityType", "CHART")),
        _search(
            "* platform=snowflake",
            seeder.platforms["snowflake"],
            "*",
            _field("platform", "urn:li:dataPlatform:snowflake"),
        ),
        _search("* owner=team00", seeder.owned[team], "*", _field("owners", team)),
        _search(
            "* not owner=team00",
            size - seeder.owned[team],
            "*",
            _field("owners", team, negated=True),
        ),
        _search("* urn=", 1, "*", _field("urn", an_asset)),
        _search("* name=", seeder.names.count(its_name), "*", _field("name", its_name)),
        Query(
            "* (A and B) or C",
            SEARCH_KIND,
            _body(SEARCH, {"input": or_of_ands}),
            seeder.kinds["chart"] + seeder.kinds["dashboard"],
        ),
        Query(
            "lineage up (all hops)",
            SEARCH_KIND,
            _body(LINEAGE, {"input": lineage}),
            len(closure),
        ),
        Query("asset page", OTHER_KIND, _body(ASSET_PAGE, {"urn": start_urn}), None),
        Query("hot incidents+health", HOT_KIND, _body(HOT, {"urn": seeder.hot_urn}), None),
    ]
    return found
