"""What the API reads of assertions, for many keys at once: one statement for all the keys
given (callers keep them to a chunk, db/chunks.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, false, func, select

from dataflare.assertions.models import ASSERTION_RUNS, ASSERTIONS
from dataflare.assertions.words import RESULT_ORDER
from dataflare.catalog.models import ASSETS
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS

_A = ASSERTIONS.c
_R = ASSERTION_RUNS.c


@dataclass(frozen=True)
class AssertionView:
    id: int | None  # None: named (by an incident) but never ingested
    urn: str
    assertion_type: str | None
    info: dict[str, Any] | None
    platform: str | None
    asset_urn: str | None
    asset_platform: str | None
    removed: bool
    last_result: str | None
    last_run_at: int | None
    asset_id: int | None = None
    asset_name: str | None = None

    @classmethod
    def unknown(cls, urn: str) -> AssertionView:
        return cls(None, urn, None, None, None, None, None, False, None, None)


@dataclass(frozen=True)
class RunView:
    assertion_urn: str
    timestamp_ms: int
    partition: str
    run_id: str
    assertee_urn: str
    status: str
    result_type: str | None
    event: dict[str, Any]


@dataclass(frozen=True)
class RunFilter:
    status: str | None
    start_ms: int | None
    end_ms: int | None
    limit: int


_VIEW = select(
    _A.id,
    _A.urn,
    _A.assertion_type,
    _A.info,
    _A.platform,
    ASSETS.c.urn.label("asset_urn"),
    ASSETS.c.platform.label("asset_platform"),
    _A.removed,
    _A.last_result,
    _A.last_run_at,
    _A.asset_id,
    ASSETS.c.name.label("asset_name"),
).outerjoin(ASSETS, ASSETS.c.id == _A.asset_id)


def _view(row: Any) -> AssertionView:
    info = json.loads(row.info) if row.info else None
    return AssertionView(
        row.id,
        row.urn,
        row.assertion_type,
        info,
        row.platform,
        row.asset_urn,
        row.asset_platform,
        bool(row.removed),
        row.last_result,
        row.last_run_at,
        row.asset_id,
        row.asset_name,
    )


def by_urns(connection: Connection, urns: Sequence[str]) -> dict[str, AssertionView]:
    rows = connection.execute(_VIEW.where(_A.urn.in_(urns)))
    return {row.urn: _view(row) for row in rows}


def runs_of(
    connection: Connection, assertion_ids: Sequence[int], wanted: RunFilter
) -> dict[int, list[RunView]]:
    """The newest runs of each assertion (at most `wanted.limit` each), newest first."""
    conditions: list[ColumnElement[bool]] = [_R.assertion_id.in_(assertion_ids)]
    if wanted.status is not None:
        conditions.append(_R.status == wanted.status)
    if wanted.start_ms is not None:
        conditions.append(_R.timestamp_ms >= wanted.start_ms)
    if wanted.end_ms is not None:
        conditions.append(_R.timestamp_ms <= wanted.end_ms)
    rank = (
        func.row_number()
        .over(partition_by=_R.assertion_id, order_by=(_R.timestamp_ms.desc(), _R.id.desc()))
        .label("rank")
    )
    ranked = (
        select(ASSERTION_RUNS, _A.urn.label("assertion_urn"), rank)
        .join(ASSERTIONS, _A.id == _R.assertion_id)
        .where(and_(*conditions))
        .subquery()
    )
    rows = connection.execute(
        select(ranked)
        .where(ranked.c.rank <= wanted.limit)
        .order_by(ranked.c.assertion_id, ranked.c.rank)
    )
    found: dict[int, list[RunView]] = {}
    for row in rows:
        found.setdefault(row.assertion_id, []).append(
            RunView(
                row.assertion_urn,
                row.timestamp_ms,
                row.partition,
                row.run_id,
                row.assertee_urn,
                row.status,
                row.result_type,
                json.loads(row.event),
            )
        )
    return found


def on_assets(
    connection: Connection, asset_ids: Sequence[int], include_removed: bool = False
) -> dict[int, list[AssertionView]]:
    """Asset id -> its assertions, oldest first (their order never moves under a reader)."""
    query = _VIEW.where(_A.asset_id.in_(asset_ids))
    if not include_removed:
        query = query.where(_A.removed == false())
    rows = connection.execute(query.order_by(_A.asset_id, _A.id))
    found: dict[int, list[AssertionView]] = {}
    for row in rows:
        found.setdefault(row.asset_id, []).append(_view(row))
    return found


@dataclass(frozen=True)
class RaisedIncident:
    urn: str
    title: str | None
    state: str
    created_at: int


def incidents_raised(
    connection: Connection, asset_id: int, assertion_urn: str, limit: int
) -> list[RaisedIncident]:
    """The incidents on the asset whose source is the assertion, newest first (read along the
    asset's links, so the cost follows the asset's incidents, not all of them)."""
    links, incidents = INCIDENT_ASSETS.c, INCIDENTS.c
    rows = connection.execute(
        select(incidents.urn, incidents.title, incidents.state, incidents.created_at)
        .join(INCIDENT_ASSETS, links.incident_id == incidents.id)
        .where(
            links.asset_id == asset_id,
            incidents.source_urn == assertion_urn,
            incidents.removed == false(),
        )
        .order_by(links.created_at.desc(), links.incident_id.desc())
        .limit(limit)
    )
    return [RaisedIncident(*row) for row in rows]


def listed_on_asset(
    connection: Connection, asset_id: int, limit: int
) -> tuple[list[AssertionView], int]:
    """At most `limit` of the asset's assertions, failing first, then erroring, passing, never
    run (newest run first within each); and how many it has."""
    order = case(RESULT_ORDER, value=_A.last_result, else_=len(RESULT_ORDER))
    mine = and_(_A.asset_id == asset_id, _A.removed == false())
    rows = connection.execute(
        _VIEW.where(mine)
        .order_by(order, func.coalesce(_A.last_run_at, 0).desc(), _A.id)
        .limit(limit)
    )
    total = connection.execute(select(func.count()).select_from(ASSERTIONS).where(mine)).scalar()
    return [_view(row) for row in rows], int(total or 0)
