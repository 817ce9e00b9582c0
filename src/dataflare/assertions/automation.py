"""What an assertion's newest run does to incidents. A failing run raises an incident on the
asserted asset (one active per assertion: its dedup key, so later failures are repeats in the
timeline); a passing run resolves it, naming the run. Only the newest run of an assertion acts
(runs.py applies runs in time order), and the same event sent again acts not at all, so an
incident a person resolved stays resolved."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from dataflare.assertions import words
from dataflare.assertions.info import SUB_RECORDS, fields_of
from dataflare.assertions.models import Assertion
from dataflare.assertions.policy import Decision, Policy, Subject, active
from dataflare.assertions.runs import RunEvent, prune, read_run, store_run
from dataflare.assertions.service import tags_of
from dataflare.catalog import stored_aspects
from dataflare.catalog.models import Asset
from dataflare.catalog.service import owners_of
from dataflare.catalog.tags import kept_tags
from dataflare.core.clock import format_time
from dataflare.core.limits import MAX_TITLE_CHARS
from dataflare.incidents import service as incidents

# The incident type of a failure, by assertion type (DATASET and CUSTOM by their scope);
# OPERATIONAL else.
INCIDENT_TYPES = {
    "FRESHNESS": "FRESHNESS",
    "VOLUME": "VOLUME",
    "SQL": "SQL",
    "FIELD": "FIELD",
    "DATA_SCHEMA": "DATA_SCHEMA",
}
DATASET_SCOPES = {
    "DATASET_COLUMN": "FIELD",
    "DATASET_ROWS": "VOLUME",
    "DATASET_SCHEMA": "DATA_SCHEMA",
}


def dedup_key(assertion: Assertion) -> str:
    return f"assertion:{assertion.id}"


def _asset_tags(session: Session, urn: str) -> list[str]:
    found = stored_aspects.kept(session, urn, ["globalTags"]).get("globalTags")
    return kept_tags(found.value if found is not None else None)


def act(session: Session, actor: str, assertion: Assertion, run: RunEvent, policy: Policy) -> None:
    """Apply the assertion's newest run (already its state)."""
    asset = session.get(Asset, assertion.asset_id) if assertion.asset_id is not None else None
    if asset is None:
        return  # nothing to raise an incident on
    info = _info(assertion)
    decision = policy.decide(
        Subject(
            platforms={p for p in (assertion.platform, asset.platform) if p},
            assertion_type=assertion.assertion_type,
            dataset=asset.urn,
            tags=[*tags_of(assertion), *_asset_tags(session, asset.urn)],
        )
    )
    failed = run.result_type == "FAILURE" or (
        run.result_type == "ERROR" and decision.raise_on_error
    )
    if failed:
        assertion.failures_in_row += 1
        due = assertion.failures_in_row >= decision.failures_before_raising
        if decision.enabled and not assertion.removed and due:
            _raise(session, actor, assertion, info, asset, run, decision)
    elif run.result_type == "SUCCESS":
        assertion.failures_in_row = 0
        if decision.auto_resolve:
            message = f"Resolved: {check_name(assertion, info)} passed in run {_run_name(run)}."
            incidents.resolve_by_dedup_key(session, actor, asset.urn, dedup_key(assertion), message)


def _raise(
    session: Session,
    actor: str,
    assertion: Assertion,
    info: dict[str, Any],
    asset: Asset,
    run: RunEvent,
    decision: Decision,
) -> None:
    owners = [o.owner_urn for o in owners_of(session, asset.urn)] if decision.assign_owners else []
    name = check_name(assertion, info)
    incidents.raise_incident(
        session,
        actor,
        incidents.RaiseRequest(
            type=incident_type(assertion, info),
            title=_cut(f"{name} failed on {asset.name}", MAX_TITLE_CHARS),
            description=describe(assertion, info, run),
            resource_urn=asset.urn,
            source_type="ASSERTION_FAILURE",
            source_urn=assertion.urn,
            priority=decision.priority,
            assignee_urns=owners,
            started_at=run.timestamp_ms,
            dedup_key=dedup_key(assertion),
            message=f"{name} failed in run {_run_name(run)}.",
        ),
    )


def _info(assertion: Assertion) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(assertion.info) if assertion.info else {}
    return found


def incident_type(assertion: Assertion, info: dict[str, Any]) -> str:
    """By the assertion's type; a DATASET or CUSTOM one by the scope its sub-record names (the
    dbt source and the Great Expectations action send their checks as CUSTOM with a scope)."""
    kind = assertion.assertion_type or ""
    if kind in ("DATASET", "CUSTOM"):
        sub = info.get(SUB_RECORDS[kind])
        scope = sub.get("scope") if isinstance(sub, dict) else None
        return DATASET_SCOPES.get(str(scope), "OPERATIONAL")
    return INCIDENT_TYPES.get(kind, "OPERATIONAL")


def check_name(assertion: Assertion, info: dict[str, Any]) -> str:
    """How people name the check (words.py)."""
    return words.check_name(assertion.urn, assertion.assertion_type, assertion.description, info)


def describe(assertion: Assertion, info: dict[str, Any], run: RunEvent) -> str:
    lines = [f"Assertion {assertion.urn} failed in run {_run_name(run)}."]
    if assertion.description:
        lines.append(assertion.description)
    columns = fields_of(info)
    if columns:
        lines.append("Columns: " + ", ".join(columns))
    result = run.event.get("result") or {}
    observed = [
        f"{label}: {result[key]}"
        for key, label in (
            ("actualAggValue", "Observed value"),
            ("unexpectedCount", "Unexpected rows"),
            ("missingCount", "Missing values"),
            ("rowCount", "Rows checked"),
        )
        if result.get(key) is not None
    ]
    lines.extend(observed)
    if isinstance(result.get("externalUrl"), str):
        lines.append(f"Results: {result['externalUrl']}")
    return "\n".join(lines)


def _run_name(run: RunEvent) -> str:
    when = format_time(run.timestamp_ms, seconds=True)
    return f"{run.run_id} at {when}" if run.run_id else f"at {when}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def record_run(
    session: Session,
    actor: str,
    urn: str,
    aspect: dict[str, Any],
    keep_days: int,
    policy: Policy | None = None,
) -> bool:
    """Record one run event and act on it when it is the assertion's newest; whether it was
    new (the same event again is not, and does nothing)."""
    run = read_run(urn, aspect)
    assertion, new, newest = store_run(session, urn, run)
    if newest:
        act(session, actor, assertion, run, policy or active())
    if new:
        prune(session, assertion, keep_days)
    return new
