"""Resolvers shared by the asset types (Dataset, Chart, Dashboard, DataFlow, DataJob and the ML
assets: graphql/asset_sdl.py)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from dataflare.catalog.queries import AssetView
from dataflare.catalog.service import view
from dataflare.core.urns import ASSET_KINDS, PREFIX, dataset_of_column, parse_asset
from dataflare.graphql.asset_sdl import GRAPHQL_TYPE_OF_KIND
from dataflare.graphql.context import Info
from dataflare.graphql.limits import in_a_list, page_size
from dataflare.graphql.resolvers.assertions import assertions_health, resolve_dataset_assertions
from dataflare.incidents.health import ACTIVE_INCIDENTS_CAUSE
from dataflare.incidents.queries import IncidentFilter, IncidentPage, check_page


def resolve_type(asset: AssetView, *_: Any) -> str:
    return ASSET_KINDS[asset.kind]


def resolve_platform(asset: AssetView, *_: Any) -> dict[str, str]:
    return {
        "urn": f"{PREFIX}dataPlatform:{asset.platform}",
        "type": "DATA_PLATFORM",
        "name": asset.platform,
    }


def resolve_health(asset: AssetView, info: Info) -> list[dict[str, Any]]:
    both = info.context.loader.health.get(asset.urn)
    health = both.incidents
    details = None
    if health.active_count:
        details = {
            "latestIncidentUrn": health.latest_urn,
            "latestIncidentTitle": health.latest_title,
            "lastActivityAt": health.last_activity_at,
            "count": health.active_count,
        }
    incidents = {
        "type": "INCIDENTS",
        "status": health.status,
        "message": health.message,
        "causes": [ACTIVE_INCIDENTS_CAUSE] if health.active_count else [],
        "reportedAt": health.last_activity_at,
        "activeIncidentHealthDetails": details,
        "latestAssertionStatusByType": None,
    }
    if both.assertions is None:
        return [incidents]
    return [incidents, assertions_health(both.assertions)]


def resolve_incidents(
    asset: AssetView,
    info: Info,
    state: str | None = None,
    stage: str | None = None,
    priority: str | None = None,
    assigneeUrns: list[str] | None = None,
    start: int | None = 0,
    count: int | None = 20,
) -> IncidentPage:
    filters = IncidentFilter(state, stage, priority, list(assigneeUrns or []))
    size = page_size(20 if count is None else count, "EntityIncidentsResult", in_a_list(info.path))
    check_page(start or 0, size)
    page = info.context.loader.incidents(asset, filters, start or 0, size)
    info.context.loader.saw_incidents(page.incidents)
    return page


def resolve_field_path(column: AssetView, *_: Any) -> str:
    return parse_asset(column.urn).name  # the name may be a display name (schemafieldInfo)


def resolve_parent(column: AssetView, info: Info) -> AssetView:
    dataset = dataset_of_column(parse_asset(column.urn))
    assert dataset is not None  # a column's URN was checked when it was registered
    return view(info.context.session, dataset, "dataset")


def asset_types() -> list[ObjectType]:
    types = []
    for graphql_name in GRAPHQL_TYPE_OF_KIND.values():
        object_type = ObjectType(graphql_name)
        object_type.set_field("type", resolve_type)
        object_type.set_field("platform", resolve_platform)
        object_type.set_field("health", resolve_health)
        object_type.set_field("incidents", resolve_incidents)
        if graphql_name == "Dataset":
            object_type.set_field("assertions", resolve_dataset_assertions)
        if graphql_name == "SchemaFieldEntity":
            object_type.set_field("fieldPath", resolve_field_path)
            object_type.set_field("parent", resolve_parent)
        types.append(object_type)
    return types
