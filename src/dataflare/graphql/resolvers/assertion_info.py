"""An assertion's stored `assertionInfo` in the shape DataHub's GraphQL API gives it. The aspect
was checked for its type and sub-records on the way in, not for every optional part: a part of
the wrong shape reads as absent, and a required text as "UNKNOWN" (or the asset's URN), so
that a reader always gets an answer."""

from __future__ import annotations

from typing import Any

from dataflare.assertions.info import field_path
from dataflare.assertions.queries import AssertionView

Obj = dict[str, Any]
UNKNOWN = "UNKNOWN"
SOURCE_TYPES = ("NATIVE", "EXTERNAL", "INFERRED")


def _obj(value: Any) -> Obj | None:
    return value if isinstance(value, dict) else None


def _text(value: Any, default: str | None = None) -> str | None:
    return value if isinstance(value, str) else default


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def string_map(value: Any) -> list[Obj] | None:
    if not isinstance(value, dict):
        return None
    return [{"key": str(k), "value": None if v is None else str(v)} for k, v in value.items()]


def _parameter(value: Any) -> Obj | None:
    p = _obj(value)
    if p is None or not isinstance(p.get("value"), str):
        return None
    return {"type": _text(p.get("type"), UNKNOWN), "value": p["value"]}


def parameters(value: Any) -> Obj | None:
    p = _obj(value)
    if p is None:
        return None
    return {name: _parameter(p.get(name)) for name in ("value", "maxValue", "minValue")}


def _field_ref(urn: Any) -> Obj | None:
    return {"urn": urn, "path": field_path(urn)} if isinstance(urn, str) else None


def _field_spec(value: Any) -> Obj | None:
    f = _obj(value)
    if f is None or not isinstance(f.get("path"), str):
        return None
    return {
        "path": f["path"],
        "type": _text(f.get("type")),
        "nativeType": _text(f.get("nativeType")),
    }


def _dataset(a: Obj, view: AssertionView) -> Obj:
    fields = a.get("fields") if isinstance(a.get("fields"), list) else a.get("datasetFields")
    datasets = a.get("datasets")
    named = a.get("dataset") or (datasets[0] if isinstance(datasets, list) and datasets else None)
    return {
        "datasetUrn": _text(named, view.asset_urn or ""),
        "scope": _text(a.get("scope") or a.get("datasetAssertionScope"), UNKNOWN),
        "fields": [r for r in map(_field_ref, fields or []) if r] if fields is not None else None,
        "aggregation": _text(a.get("aggregation")),
        "operator": _text(a.get("operator"), UNKNOWN),
        "parameters": parameters(a.get("parameters")),
        "nativeType": _text(a.get("nativeType")),
        "nativeParameters": string_map(a.get("nativeParameters")),
        "logic": _text(a.get("logic")),
    }


def _entity(a: Obj, view: AssertionView) -> str:
    return str(_text(a.get("entity"), view.asset_urn or ""))


def _freshness(a: Obj, view: AssertionView) -> Obj:
    schedule = _obj(a.get("schedule"))
    shown = None
    if schedule is not None:
        cron, interval = _obj(schedule.get("cron")), _obj(schedule.get("fixedInterval"))
        shown = {
            "type": _text(schedule.get("type"), UNKNOWN),
            "cron": cron
            and {
                "cron": _text(cron.get("cron"), ""),
                "timezone": _text(cron.get("timezone"), "UTC"),
                "windowStartOffsetMs": _int(cron.get("windowStartOffsetMs")),
            },
            "fixedInterval": interval
            and {
                "unit": _text(interval.get("unit"), UNKNOWN),
                "multiple": _int(interval.get("multiple")) or 1,
            },
        }
    return {"type": _text(a.get("type"), UNKNOWN), "entityUrn": _entity(a, view), "schedule": shown}


def _operator_part(value: Any, with_type: bool = False) -> Obj | None:
    part = _obj(value)
    if part is None:
        return None
    shown = {
        "operator": _text(part.get("operator"), UNKNOWN),
        "parameters": parameters(part.get("parameters")) or {},
    }
    if with_type:
        shown["type"] = _text(part.get("type"), UNKNOWN)
    return shown


def _volume(a: Obj, view: AssertionView) -> Obj:
    return {
        "type": _text(a.get("type"), UNKNOWN),
        "entityUrn": _entity(a, view),
        "rowCountTotal": _operator_part(a.get("rowCountTotal")),
        "rowCountChange": _operator_part(a.get("rowCountChange"), with_type=True),
    }


def _sql(a: Obj, view: AssertionView) -> Obj:
    return {
        "type": _text(a.get("type"), UNKNOWN),
        "entityUrn": _entity(a, view),
        "statement": _text(a.get("statement"), ""),
        "changeType": _text(a.get("changeType")),
        "operator": _text(a.get("operator"), UNKNOWN),
        "parameters": parameters(a.get("parameters")) or {},
    }


def _field_check(value: Any, extra: str) -> Obj | None:
    part = _obj(value)
    spec = _field_spec(part.get("field")) if part else None
    if part is None or spec is None:
        return None
    shown = {
        "field": spec,
        "operator": _text(part.get("operator"), UNKNOWN),
        "parameters": parameters(part.get("parameters")),
    }
    if extra == "metric":
        shown["metric"] = _text(part.get("metric"), UNKNOWN)
    else:
        shown["excludeNulls"] = (
            part.get("excludeNulls") if isinstance(part.get("excludeNulls"), bool) else None
        )
    return shown


def _field(a: Obj, view: AssertionView) -> Obj:
    return {
        "type": _text(a.get("type"), UNKNOWN),
        "entityUrn": _entity(a, view),
        "fieldValuesAssertion": _field_check(a.get("fieldValuesAssertion"), "values"),
        "fieldMetricAssertion": _field_check(a.get("fieldMetricAssertion"), "metric"),
    }


def _schema(a: Obj, view: AssertionView) -> Obj:
    schema = _obj(a.get("schema")) or {}
    columns = schema.get("fields")
    fields = []
    for column in columns if isinstance(columns, list) else []:
        if isinstance(column, dict) and isinstance(column.get("fieldPath"), str):
            kind = _obj(column.get("type")) and _obj(column["type"].get("type"))
            fields.append(
                {
                    "path": column["fieldPath"],
                    # {"com.linkedin.schema.StringType": {}} -> STRING
                    "type": next(iter(kind)).rsplit(".", 1)[-1].removesuffix("Type").upper()
                    if kind
                    else None,
                    "nativeType": _text(column.get("nativeDataType")),
                }
            )
    return {
        "entityUrn": _entity(a, view),
        "fields": fields,
        "compatibility": _text(a.get("compatibility")),
    }


def _custom(a: Obj, view: AssertionView) -> Obj:
    return {
        "type": _text(a.get("type"), UNKNOWN),
        "entityUrn": _entity(a, view),
        "field": _field_ref(a.get("field")),
        "logic": _text(a.get("logic")),
    }


_SUB_RECORDS = {
    "datasetAssertion": _dataset,
    "freshnessAssertion": _freshness,
    "volumeAssertion": _volume,
    "sqlAssertion": _sql,
    "fieldAssertion": _field,
    "schemaAssertion": _schema,
    "customAssertion": _custom,
}


def info_of(view: AssertionView) -> Obj | None:
    info = view.info
    if info is None:
        return None
    source = _obj(info.get("source"))
    stamp = _obj(info.get("lastUpdated"))
    properties = info.get("customProperties")
    shown: Obj = {
        "type": info["type"],
        "description": _text(info.get("description")),
        "externalUrl": _text(info.get("externalUrl")),
        "customProperties": [
            {"key": e["key"], "value": e["value"], "associatedUrn": view.urn}
            for e in string_map(properties) or []
        ]
        if properties is not None
        else None,
        "source": {"type": source["type"]}
        if source and source.get("type") in SOURCE_TYPES
        else None,
        "lastUpdated": {"time": stamp["time"], "actor": _text(stamp.get("actor"))}
        if stamp and _int(stamp.get("time")) is not None
        else None,
    }
    for name, shape in _SUB_RECORDS.items():
        part = _obj(info.get(name))
        shown[name] = shape(part, view) if part is not None else None
    return shown
