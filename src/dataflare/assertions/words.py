"""An assertion in words, for people: its name, what it checks, and each run's result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataflare.assertions.info import SUB_RECORDS, fields_of

MAX_NAME_CHARS = 200
MAX_FACT_CHARS = 500
# A run's (or an assertion's last) result, said with a word as well as a colour.
RESULT_WORDS = {"FAILURE": "Failing", "ERROR": "Error", "SUCCESS": "Passing", "INIT": "Started"}
RUN_WORDS = {"FAILURE": "Failed", "ERROR": "Error", "SUCCESS": "Passed", "INIT": "Started"}
# The order an asset's assertions are listed in: failing, erroring, passing, never run.
RESULT_ORDER = {"FAILURE": 0, "ERROR": 1, "SUCCESS": 2}
OBSERVED = (
    ("actualAggValue", "Observed value"),
    ("unexpectedCount", "Unexpected rows"),
    ("missingCount", "Missing values"),
    ("rowCount", "Rows checked"),
)


def type_words(kind: str | None) -> str:
    """DATA_SCHEMA -> Data schema; SQL stays SQL."""
    if not kind:
        return "Unknown"
    return "SQL" if kind == "SQL" else kind.replace("_", " ").capitalize()


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lower(value: object) -> str:
    return str(value).replace("_", " ").lower()


def sub_record(kind: str | None, info: dict[str, Any]) -> dict[str, Any]:
    sub = info.get(SUB_RECORDS.get(str(kind), ""))
    return sub if isinstance(sub, dict) else {}


def check_name(urn: str, kind: str | None, description: str | None, info: dict[str, Any]) -> str:
    """How people name the check: its description, else its native type and columns, else
    its type and URN."""
    if description and description.strip():
        return cut(description.strip().splitlines()[0], MAX_NAME_CHARS)
    native = sub_record(kind, info).get("nativeType")
    columns = ", ".join(fields_of(info))
    if isinstance(native, str):
        return cut(f"{native}({columns})" if columns else native, MAX_NAME_CHARS)
    kind_words = (kind or "Unknown").title().replace("_", " ")
    return cut(f"{kind_words} assertion {urn}", MAX_NAME_CHARS)


def name_of(urn: str, kind: str | None, info: dict[str, Any] | None) -> str:
    info = info or {}
    description = info.get("description")
    return check_name(urn, kind, description if isinstance(description, str) else None, info)


def _value(parameter: object) -> str | None:
    """An AssertionStdParameter ({"value": "99", "type": "NUMBER"}) as its value."""
    if isinstance(parameter, dict):
        value = parameter.get("value")
        return None if value is None else str(value)
    return None if parameter is None else str(parameter)


def condition(operator: object, parameters: object) -> str | None:
    """`LESS_THAN` with {"value": {"value": "99"}} -> "less than 99"."""
    if not isinstance(operator, str) or not operator:
        return None
    given = parameters if isinstance(parameters, dict) else {}
    low, high, one = (_value(given.get(k)) for k in ("minValue", "maxValue", "value"))
    if operator == "BETWEEN" and low is not None and high is not None:
        return f"between {low} and {high}"
    return f"{_lower(operator)} {one}" if one is not None else _lower(operator)


def _operator_source(sub: dict[str, Any]) -> dict[str, Any]:
    """Where the operator sits: in the sub-record, or in one of its parts (a field's values
    or metric, a volume's row count)."""
    if "operator" in sub:
        return sub
    for value in sub.values():
        if isinstance(value, dict) and "operator" in value:
            return value
    return {}


def facts(kind: str | None, info: dict[str, Any] | None) -> list[tuple[str, str]]:
    """What the check checks, as (label, text) pairs in reading order."""
    info = info or {}
    sub = sub_record(kind, info)
    found: list[tuple[str, str]] = []

    def add(label: str, value: object) -> None:
        if value is not None and value != "" and value != []:
            found.append((label, cut(str(value), MAX_FACT_CHARS)))

    add("Type", type_words(kind) if kind else None)
    description = info.get("description")
    add("Description", description if isinstance(description, str) else None)
    add("Native type", sub.get("nativeType") if isinstance(sub.get("nativeType"), str) else None)
    add("Columns", ", ".join(fields_of(info)))
    if isinstance(sub.get("scope"), str):
        add("Scope", _lower(sub["scope"]).capitalize())
    if isinstance(sub.get("aggregation"), str) and sub["aggregation"] != "IDENTITY":
        add("Aggregation", _lower(sub["aggregation"]))
    if isinstance(sub.get("metric"), str):
        add("Metric", _lower(sub["metric"]))
    part = _operator_source(sub)
    said = condition(part.get("operator"), part.get("parameters"))
    if said is not None and said == _lower(part.get("operator")):  # no value given with it
        add("Operator", said)
    elif said is not None:
        add("Condition", f"must be {said}")
    native = sub.get("nativeParameters")
    if isinstance(native, dict) and native:
        add("Parameters", ", ".join(f"{k} = {v}" for k, v in list(native.items())[:20]))
    add("Statement", sub.get("statement") if isinstance(sub.get("statement"), str) else None)
    add("Logic", sub.get("logic") if isinstance(sub.get("logic"), str) else None)
    if isinstance(info.get("externalUrl"), str):
        add("Defined at", info["externalUrl"])
    return found


@dataclass(frozen=True)
class RunWords:
    """One run as a table row shows it."""

    at: int
    run_id: str
    result: str | None  # SUCCESS, FAILURE, ERROR, INIT
    word: str
    observed: str | None
    link: str | None


def run_words(at: int, run_id: str, result: str | None, event: dict[str, Any]) -> RunWords:
    body = event.get("result") if isinstance(event.get("result"), dict) else {}
    assert isinstance(body, dict)
    observed = [
        f"{label}: {body[key]}" for key, label in OBSERVED if body.get(key) not in (None, "")
    ]
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("type"), str):
        observed.append(f"Error: {_lower(error['type'])}")
    link = body.get("externalUrl")
    safe_link = link if isinstance(link, str) and link.startswith(("https://", "http://")) else None
    word = RUN_WORDS.get(result or "", "Unknown")
    return RunWords(at, run_id, result, word, cut("; ".join(observed), 300) or None, safe_link)
