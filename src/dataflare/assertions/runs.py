"""Recording an `assertionRunEvent`: the run joins the assertion's history; when it is the
newest, it becomes the assertion's state, and automation acts on it (automation.py). Runs are
applied in time order: one older than the newest applied is kept in the history only. The same
event sent again (same assertion, time and partition) changes nothing at all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataflare.assertions.models import ASSERTION_RUNS, Assertion
from dataflare.assertions.service import assertion_to_change, asset_id_for
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_RUN_EVENT_BYTES, MAX_URN_CHARS
from dataflare.core.text import check_bytes, check_epoch_ms, check_text

RESULT_TYPES = ("INIT", "SUCCESS", "FAILURE", "ERROR")
DECIDED = ("SUCCESS", "FAILURE", "ERROR")  # results that set the assertion's state
RUN_STATUSES = ("COMPLETE",)
FULL_TABLE = "FULL_TABLE_SNAPSHOT"  # DataHub's partition when none is given
DAY_MS = 86_400_000
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
_COUNTS = ("rowCount", "missingCount", "unexpectedCount")


@dataclass(frozen=True)
class RunEvent:
    timestamp_ms: int
    run_id: str
    assertee_urn: str
    partition: str
    status: str
    result_type: str | None
    event: dict[str, Any]  # result, partitionSpec, batchSpec, runtimeContext as sent


def read_run(urn: str, aspect: dict[str, Any]) -> RunEvent:
    a = aspect
    stamp = a.get("timestampMillis")
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        raise InvalidInput("aspect.timestampMillis: a time in epoch milliseconds is required.")
    check_epoch_ms(stamp, "aspect.timestampMillis")
    named = a.get("assertionUrn")
    if named is not None and named != urn:
        raise InvalidInput(f"aspect.assertionUrn: '{str(named)[:200]}' is not the entity's URN.")
    run_id = _text(a, "runId", 300) or ""
    assertee = _text(a, "asserteeUrn", MAX_URN_CHARS) or ""
    status = a.get("status", "COMPLETE")
    if status not in RUN_STATUSES:
        raise InvalidInput(f"aspect.status: COMPLETE is required, not {status!r}.")
    result = a.get("result")
    result_type = None
    if result is not None:
        if not isinstance(result, dict) or result.get("type") not in RESULT_TYPES:
            raise InvalidInput(f"aspect.result.type: one of {', '.join(RESULT_TYPES)} is required.")
        result_type = result["type"]
        for name in _COUNTS:
            value = result.get(name)
            if value is not None and (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not LONG_MIN <= value <= LONG_MAX
            ):
                raise InvalidInput(f"aspect.result.{name}: a whole number is required.")
        agg = result.get("actualAggValue")
        if agg is not None and (not isinstance(agg, int | float) or isinstance(agg, bool)):
            raise InvalidInput("aspect.result.actualAggValue: a number is required.")
    spec = a.get("partitionSpec")
    partition = FULL_TABLE
    if spec is not None:
        if not isinstance(spec, dict):
            raise InvalidInput("aspect.partitionSpec: an object is required.")
        partition = _text(spec, "partition", 300, "aspect.partitionSpec") or FULL_TABLE
    kept: dict[str, Any] = {
        k: a[k] for k in ("result", "partitionSpec", "batchSpec", "runtimeContext") if k in a
    }
    check_bytes(json.dumps(kept), "aspect", MAX_RUN_EVENT_BYTES)
    return RunEvent(stamp, run_id, assertee, partition, status, result_type, kept)


def _text(obj: dict[str, Any], key: str, limit: int, where: str = "aspect") -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{where}.{key}: a string is required.")
    return check_text(value, f"{where}.{key}", limit)


def store_run(session: Session, urn: str, run: RunEvent) -> tuple[Assertion, bool, bool]:
    """Keep the run: (the assertion, whether the run is new, whether it is now the newest
    decided run and so the assertion's state)."""
    assertion = assertion_to_change(session, urn)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = session.execute(
        dialect.insert(ASSERTION_RUNS)
        .values(
            assertion_id=assertion.id,
            timestamp_ms=run.timestamp_ms,
            partition=run.partition,
            run_id=run.run_id,
            assertee_urn=run.assertee_urn,
            status=run.status,
            result_type=run.result_type,
            event=json.dumps(run.event, separators=(",", ":"), ensure_ascii=False),
        )
        .on_conflict_do_nothing(index_elements=["assertion_id", "timestamp_ms", "partition"])
        .returning(ASSERTION_RUNS.c.id)
    ).first()
    if inserted is None:
        return assertion, False, False
    if assertion.asset_id is None and run.assertee_urn:
        assertion.asset_id = asset_id_for(session, run.assertee_urn)
    newest = run.result_type in DECIDED and (
        assertion.last_run_at is None or run.timestamp_ms >= assertion.last_run_at
    )
    if newest:
        assertion.last_run_at = run.timestamp_ms
        assertion.last_result = run.result_type
        assertion.last_run_id = run.run_id
    return assertion, True, newest


def prune(session: Session, assertion: Assertion, keep_days: int) -> None:
    """Drop the assertion's runs more than `keep_days` older than its newest run: a check that
    stopped running keeps its last days of history."""
    newest = session.scalar(
        select(ASSERTION_RUNS.c.timestamp_ms)
        .where(ASSERTION_RUNS.c.assertion_id == assertion.id)
        .order_by(ASSERTION_RUNS.c.timestamp_ms.desc())
        .limit(1)
    )
    if newest is None:
        return
    session.execute(
        delete(ASSERTION_RUNS).where(
            ASSERTION_RUNS.c.assertion_id == assertion.id,
            ASSERTION_RUNS.c.timestamp_ms < newest - keep_days * DAY_MS,
        )
    )
