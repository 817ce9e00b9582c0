"""Resolvers of the Assertion type, Dataset.assertions, the ASSERTIONS health and the source
of an incident."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from dataflare.assertions.health import AssertionHealth
from dataflare.assertions.queries import AssertionView, RunFilter, RunView
from dataflare.catalog.queries import AssetView
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import DEFAULT_RUN_EVENTS, MAX_RUN_EVENTS
from dataflare.core.urns import PREFIX, entity_type_of
from dataflare.graphql.context import Info
from dataflare.graphql.limits import in_a_list, page_size
from dataflare.graphql.resolvers.assertion_info import info_of, string_map
from dataflare.incidents.queries import IncidentView, check_page

query = QueryType()
assertion_type = ObjectType("Assertion")
run_type = ObjectType("AssertionRunEvent")


def assertion_by_urn(info: Info, urn: str) -> AssertionView:
    if entity_type_of(urn) != "assertion":
        raise InvalidInput(f"'{urn[:200]}' is not an assertion URN: expected urn:li:assertion:...")
    return info.context.loader.assertions.view(urn)


@query.field("assertion")
def resolve_assertion(_: Any, info: Info, urn: str) -> AssertionView:
    return assertion_by_urn(info, urn)


@assertion_type.field("type")
def resolve_type(*_: Any) -> str:
    return "ASSERTION"


@assertion_type.field("platform")
def resolve_platform(assertion: AssertionView, *_: Any) -> dict[str, str]:
    name = assertion.platform or assertion.asset_platform or "unknown"
    return {"urn": f"{PREFIX}dataPlatform:{name}", "type": "DATA_PLATFORM", "name": name}


@assertion_type.field("info")
def resolve_info(assertion: AssertionView, *_: Any) -> dict[str, Any] | None:
    return info_of(assertion)


@assertion_type.field("status")
def resolve_status(assertion: AssertionView, *_: Any) -> dict[str, bool]:
    return {"removed": assertion.removed}


@assertion_type.field("runEvents")
def resolve_run_events(
    assertion: AssertionView,
    info: Info,
    status: str | None = None,
    startTimeMillis: int | None = None,
    endTimeMillis: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    if limit is not None and limit < 0:
        raise InvalidInput(f"limit must not be negative (got {limit}).")
    size = page_size(
        DEFAULT_RUN_EVENTS if limit is None else limit,
        "AssertionRunEventsResult",
        in_a_list(info.path),
    )
    size = min(size, MAX_RUN_EVENTS)
    wanted = RunFilter(status, startTimeMillis, endTimeMillis, size)
    runs = info.context.loader.assertions.runs(assertion, wanted) if size else []
    results = [r.result_type for r in runs]
    return {
        "total": len(runs),
        "failed": results.count("FAILURE"),
        "succeeded": results.count("SUCCESS"),
        "errored": results.count("ERROR"),
        "runEvents": runs,
    }


run_type.set_alias("timestampMillis", "timestamp_ms")
run_type.set_alias("assertionUrn", "assertion_urn")
run_type.set_alias("asserteeUrn", "assertee_urn")
run_type.set_alias("runId", "run_id")


@run_type.field("partitionSpec")
def resolve_partition(run: RunView, *_: Any) -> dict[str, str]:
    spec = run.event.get("partitionSpec")
    kind = spec.get("type") if isinstance(spec, dict) else None
    return {
        "type": kind if isinstance(kind, str) else "FULL_TABLE",
        "partition": run.partition,
    }


@run_type.field("runtimeContext")
def resolve_context(run: RunView, *_: Any) -> list[dict[str, Any]] | None:
    return string_map(run.event.get("runtimeContext"))


@run_type.field("result")
def resolve_result(run: RunView, *_: Any) -> dict[str, Any] | None:
    result = run.event.get("result")
    if run.result_type is None or not isinstance(result, dict):
        return None
    error = result.get("error")
    return {
        "type": run.result_type,
        **{k: result.get(k) for k in ("rowCount", "missingCount", "unexpectedCount")},
        "actualAggValue": result.get("actualAggValue"),
        "externalUrl": result.get("externalUrl")
        if isinstance(result.get("externalUrl"), str)
        else None,
        "nativeResults": string_map(result.get("nativeResults")),
        "error": {
            "type": str(error.get("type") or "UNKNOWN_ERROR"),
            "properties": string_map(error.get("properties")),
        }
        if isinstance(error, dict)
        else None,
    }


def resolve_dataset_assertions(
    asset: AssetView,
    info: Info,
    start: int | None = 0,
    count: int | None = 20,
    includeSoftDeleted: bool | None = None,
) -> dict[str, Any]:
    size = page_size(20 if count is None else count, "EntityAssertionsResult", in_a_list(info.path))
    check_page(start or 0, size)
    found = (
        info.context.loader.assertions.on_asset(asset.id, bool(includeSoftDeleted))
        if asset.id is not None
        else []
    )
    first = start or 0
    return {
        "start": first,
        "count": size,
        "total": len(found),
        "assertions": found[first : first + size],
    }


def assertions_health(health: AssertionHealth) -> dict[str, Any]:
    """The ASSERTIONS entry of an asset's health."""
    return {
        "type": "ASSERTIONS",
        "status": health.status,
        "message": health.message,
        "causes": health.causes,
        "reportedAt": health.reported_at,
        "activeIncidentHealthDetails": None,
        "latestAssertionStatusByType": [
            {
                "type": t.type,
                "status": t.status,
                "total": t.total,
                "statusCount": t.status_count,
                "lastStatusResultAt": t.last_status_result_at,
            }
            for t in health.by_type
        ],
    }


def resolve_incident_source(incident: IncidentView, info: Info) -> dict[str, Any]:
    def source(info: Info) -> AssertionView | None:
        # Read only when asked for: `source { type }` costs no statement.
        urn = info.context.loader.sources.get(incident.id)
        if urn is None or entity_type_of(urn) != "assertion":
            return None
        return info.context.loader.assertions.view(urn)

    return {"type": incident.source_type, "source": source}
