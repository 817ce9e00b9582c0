"""The read tools: find assets, look at one, list and read incidents, and see what upstream
is broken. Each is one or two GraphQL requests through the SDK."""

from __future__ import annotations

from typing import Any

from dataflare.client import documents as doc
from dataflare.client.breaker import IncidentCircuitBreaker, IncidentCircuitBreakerConfig
from dataflare.client.client import DataflareClient
from dataflare.client.models import Health, Incident
from dataflare.client.urns import check_asset_urn
from dataflare.mcp import results
from dataflare.mcp.results import DEFAULT_COUNT, MAX_COUNT, MAX_DETAIL_TEXT, MAX_TIMELINE, Answer
from dataflare.mcp.spec import (
    ASSET_TYPES,
    PRIORITY,
    STAGE,
    STATE,
    ToolSpec,
    choice,
    count,
    text,
    urn,
)

UPSTREAM_HOPS = 3  # how far get_asset looks for broken assets upstream
MAX_HOPS = 10

ASSET = (
    """
query asset($urn: String!, $lineage: SearchAcrossLineageInput!) {
  entity(urn: $urn) { urn type ASSET_SELECTION }
  searchAcrossLineage(input: $lineage) {
    total
    searchResults { degree entity { urn type NAMED } }
  }
}
""".replace(
        "ASSET_SELECTION",
        doc.on_every_asset_type(
            "exists name platform { name } properties { description } "
            "ownership { owners { type owner { ... on CorpUser { urn } "
            "... on CorpGroup { urn } } } } health { ...HealthFields } "
            "incidents(state: ACTIVE, start: 0, count: 10) "
            "{ total incidents { ...IncidentFields } }"
        ),
    ).replace("NAMED", doc.on_every_asset_type("name platform { name } health { ...HealthFields }"))
    + doc.HEALTH_FIELDS
    + doc.INCIDENT_FIELDS
)


def _owner_urn(value: str) -> str:
    """A user's name, or the URN of a user or group."""
    return value if value.startswith("urn:li:") else f"urn:li:corpuser:{value}"


def search_assets(client: DataflareClient, given: dict[str, Any]) -> Answer:
    filters: dict[str, list[str]] = {}
    if given.get("platform"):
        filters["platform"] = [given["platform"]]
    if given.get("owner"):
        filters["owners"] = [_owner_urn(given["owner"])]
    page = client.search(
        given["query"],
        types=given.get("types"),
        has_active_incidents=given.get("has_active_incidents"),
        filters=filters,
        count=given.get("count", DEFAULT_COUNT),
    )
    lines = [
        f"{a.urn} ({a.type}, {a.platform}) "
        + ("healthy" if a.health.healthy else f"{a.health.active_incidents} active incident(s)")
        for a in page.assets
    ]
    return Answer(
        {"total": page.total, "assets": [results.asset(a) for a in page.assets]},
        results.listed(lines, page.total, "matching assets"),
    )


def get_asset(client: DataflareClient, given: dict[str, Any]) -> Answer:
    asset_urn = given["urn"]
    check_asset_urn(asset_urn)
    lineage = {
        "urn": asset_urn,
        "direction": "UPSTREAM",
        "query": "*",
        "start": 0,
        "count": MAX_COUNT,
        "orFilters": [
            {
                "and": [
                    {"field": "hasActiveIncidents", "values": ["true"]},
                    {"field": "degree", "values": ["1", "2", "3+"]},
                ]
            }
        ],
    }
    data = client.execute(ASSET, {"urn": asset_urn, "lineage": lineage}, idempotent=True)
    entity = data["entity"] or {}
    if not entity.get("exists"):
        return Answer(
            {"urn": asset_urn, "known": False},
            f"Dataflare has not seen {asset_urn}: no metadata and no incidents were sent for it.",
        )
    health = Health.from_graphql(entity.get("health"))
    active = entity.get("incidents") or {"total": 0, "incidents": []}
    upstream = [
        {
            "urn": r["entity"]["urn"],
            "type": r["entity"]["type"],
            "name": r["entity"].get("name"),
            "hops": r["degree"],
            "active_incidents": Health.from_graphql(r["entity"].get("health")).active_incidents,
        }
        for r in data["searchAcrossLineage"]["searchResults"]
        if r["degree"] <= UPSTREAM_HOPS
    ]
    owners = [o["owner"]["urn"] for o in (entity.get("ownership") or {}).get("owners") or []]
    found = {
        "urn": asset_urn,
        "known": True,
        "type": entity["type"],
        "name": entity.get("name"),
        "platform": (entity.get("platform") or {}).get("name"),
        "description": results.clipped((entity.get("properties") or {}).get("description")),
        "owners": owners,
        **results.health(health),
        "active": [results.incident(Incident.from_graphql(i)) for i in active["incidents"]],
        "broken_upstream": upstream,
    }
    state = "healthy" if health.healthy else f"{health.active_incidents} active incident(s)"
    summary = (
        f"{entity.get('name')} ({entity['type']} on {found['platform']}): {state}; owners: "
        f"{', '.join(owners) or 'none'}; {len(upstream)} asset(s) within {UPSTREAM_HOPS} hops "
        "upstream have active incidents."
    )
    return Answer(found, summary)


def list_incidents(client: DataflareClient, given: dict[str, Any]) -> Answer:
    asset_urn = given.get("asset_urn")
    if asset_urn:
        check_asset_urn(asset_urn)
    assignee = given.get("assignee")
    page = client.search_incidents(
        given.get("query") or "*",
        asset_urns=[asset_urn] if asset_urn else None,
        state=given.get("state"),
        priority=given.get("priority"),
        stage=given.get("stage"),
        assignee_urns=[_owner_urn(assignee)] if assignee else None,
        count=given.get("count", DEFAULT_COUNT),
    )
    where = f"on {asset_urn}" if asset_urn else "across all assets"
    return Answer(
        {"total": page.total, "incidents": [results.incident(i) for i in page.incidents]},
        results.listed(
            [results.one_line(i) for i in page.incidents], page.total, f"incidents {where}"
        ),
    )


def get_incident(client: DataflareClient, given: dict[str, Any]) -> Answer:
    found = client.get(given["urn"])
    shown = found.activity[-MAX_TIMELINE:]
    data = results.incident(found, MAX_DETAIL_TEXT)
    data["timeline"] = [results.timeline_entry(e) for e in shown]
    data["timeline_entries_left_out"] = len(found.activity) - len(shown)
    summary = (
        f"{results.one_line(found)}; on {', '.join(found.assets)}; "
        f"{len(found.activity)} timeline entries."
    )
    return Answer(data, summary)


def find_broken_upstreams(client: DataflareClient, given: dict[str, Any]) -> Answer:
    asset_urn, hops = given["urn"], given.get("hops", UPSTREAM_HOPS)
    check_asset_urn(asset_urn)
    breaker = IncidentCircuitBreaker(IncidentCircuitBreakerConfig(upstream_depth=hops), client)
    blocking = breaker.blocking_incidents(asset_urn)
    shown = blocking[:MAX_COUNT]
    data = {
        "blocked": bool(blocking),
        "total": len(blocking),
        "blocking": [
            {
                "asset_urn": b.asset_urn,
                "hops": b.degree,
                "reason": b.describe(),
                "incident": results.incident(b.incident),
            }
            for b in shown
        ],
    }
    if not blocking:
        return Answer(data, f"Nothing blocks {asset_urn}: no active incident within {hops} hops.")
    summary = results.listed([b.describe() for b in shown], len(blocking), "blocking incidents")
    return Answer(data, f"A circuit breaker on {asset_urn} would stop the run. {summary}")


READ_TOOLS = (
    ToolSpec(
        "search_assets",
        "Search assets",
        "Find data assets (datasets, charts, dashboards, data flows, data jobs) by free text "
        "over names, descriptions and URNs ('*' for all), optionally only those with active "
        "incidents, of some types, on a platform or owned by someone. Returns each asset's "
        "URN (use it with the other tools) and health.",
        {
            "query": text("Words that must all appear, or '*' for every asset.", 500),
            "has_active_incidents": {
                "type": "boolean",
                "description": "true: only unhealthy assets; false: only healthy ones.",
            },
            "types": {
                "type": "array",
                "items": choice(ASSET_TYPES, "An asset type."),
                "maxItems": len(ASSET_TYPES),
                "description": "Only assets of these types.",
            },
            "platform": text("Only assets on this platform, e.g. snowflake or airflow.", 200),
            "owner": text("Only assets owned by this user name or user/group URN.", 300),
            "count": count(DEFAULT_COUNT),
        },
        search_assets,
        required=("query",),
    ),
    ToolSpec(
        "get_asset",
        "Get an asset",
        "One asset by URN: name, type, platform, owners, health, its active incidents, and the "
        f"assets up to {UPSTREAM_HOPS} lineage hops upstream that have active incidents (a "
        "likely cause when this asset looks wrong).",
        {"urn": urn("The asset's URN, e.g. urn:li:dataset:(urn:li:dataPlatform:x,db.t,PROD).")},
        get_asset,
        required=("urn",),
    ),
    ToolSpec(
        "list_incidents",
        "List incidents",
        "Incidents newest first: across all assets, or on one asset when asset_urn is given; "
        "narrowed by state, priority, stage, assignee, or words in the title, description or "
        "custom type.",
        {
            "asset_urn": urn("Only incidents on this asset."),
            "state": STATE,
            "priority": PRIORITY,
            "stage": STAGE,
            "assignee": text("Only incidents assigned to this user name or URN.", 300),
            "query": text("Words that must all appear in the title, description or type.", 500),
            "count": count(DEFAULT_COUNT),
        },
        list_incidents,
    ),
    ToolSpec(
        "get_incident",
        "Get an incident",
        "One incident by URN with its details and timeline (who changed what, when, and how).",
        {"urn": urn("The incident's URN, urn:li:incident:<id>.")},
        get_incident,
        required=("urn",),
    ),
    ToolSpec(
        "find_broken_upstreams",
        "Find broken upstreams",
        "What a pipeline circuit breaker would stop on: every active incident on the asset "
        "itself and on assets up to `hops` lineage hops upstream, nearest first, each with why.",
        {
            "urn": urn("The asset a pipeline is about to read or build."),
            "hops": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_HOPS,
                "default": UPSTREAM_HOPS,
                "description": "How many lineage hops upstream to look (0: the asset alone).",
            },
        },
        find_broken_upstreams,
        required=("urn",),
    ),
)
