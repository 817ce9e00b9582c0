"""Incidents as the API reads them: plain rows, loaded with a single query per page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, String, bindparam, func, literal_column, select
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSETS
from dataflare.catalog.queries import AssetView
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_LIST_COUNT
from dataflare.db.driver import DriverStatement
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENT_ASSIGNEES, INCIDENTS
from dataflare.incidents.rules import REMOVED, priority_number


@dataclass(frozen=True, slots=True)
class IncidentView:
    id: int
    urn: str
    incident_type: str
    custom_type: str | None
    title: str | None
    description: str | None
    state: str
    stage: str | None
    status_message: str | None
    status_updated_at: int
    status_updated_by: str
    priority: int | None
    source_type: str
    started_at: int
    created_at: int
    created_by: str
    updated_at: int
    dedup_key: str | None
    acknowledged_at: int | None
    resolved_at: int | None
    reopen_count: int
    source_urn: str | None
    removed: bool


_BY_IDS = select(INCIDENTS).where(INCIDENTS.c.id.in_(bindparam("ids", expanding=True)))
_BY_URN = select(INCIDENTS).where(INCIDENTS.c.urn == bindparam("urn"))
_BY_URNS = select(INCIDENTS).where(INCIDENTS.c.urn.in_(bindparam("urns", expanding=True)))
_ASSETS_OF = (
    select(ASSETS)
    .join(INCIDENT_ASSETS, INCIDENT_ASSETS.c.asset_id == ASSETS.c.id)
    .where(INCIDENT_ASSETS.c.incident_id == bindparam("incident_id"))
    .order_by(INCIDENT_ASSETS.c.position)
)
_ASSIGNEES_OF = (
    select(INCIDENT_ASSIGNEES.c.assignee_urn)
    .where(INCIDENT_ASSIGNEES.c.incident_id == bindparam("incident_id"))
    .order_by(INCIDENT_ASSIGNEES.c.position)
)


_FIELDS = [INCIDENTS.c[name] for name in IncidentView.__slots__]
_REMOVED = literal_column(f"'{REMOVED}'", String)  # in SQL text: the driver statements bind no more
_LINKS = INCIDENT_ASSETS.c
_PAGE = select(*_FIELDS).join(INCIDENT_ASSETS, _LINKS.incident_id == INCIDENTS.c.id)
_NEWEST_FIRST = (_LINKS.created_at.desc(), _LINKS.incident_id.desc())
# A page of an asset's incidents, newest first, from the links' indexes: in any state, or in one.
_PAGE_ANY_STATE = DriverStatement(
    _PAGE.where(_LINKS.asset_id == bindparam("asset_id"), _LINKS.state != _REMOVED)
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("count"))
    .offset(bindparam("start"))
)
_PAGE_IN_STATE = DriverStatement(
    _PAGE.where(_LINKS.asset_id == bindparam("asset_id"), _LINKS.state == bindparam("state"))
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("count"))
    .offset(bindparam("start"))
)


def page_on_asset(
    connection: Connection, asset_id: int, state: str | None, start: int, count: int
) -> list[IncidentView]:
    """A page of the incidents on an asset, newest first, in one state or any."""
    params = {"asset_id": asset_id, "start": start, "count": count}
    if state is None:
        rows = _PAGE_ANY_STATE.rows(connection, params)
    else:
        rows = _PAGE_IN_STATE.rows(connection, {**params, "state": state})
    return [IncidentView(*row) for row in rows]


_COUNT = select(func.count()).select_from(INCIDENT_ASSETS)
_COUNT_ANY_STATE = DriverStatement(
    _COUNT.where(_LINKS.asset_id == bindparam("asset_id"), _LINKS.state != _REMOVED)
)
_COUNT_IN_STATE = DriverStatement(
    _COUNT.where(_LINKS.asset_id == bindparam("asset_id"), _LINKS.state == bindparam("state"))
)


def count_on_asset(connection: Connection, asset_id: int, state: str | None) -> int:
    if state is None:
        found = _COUNT_ANY_STATE.scalar(connection, {"asset_id": asset_id})
    else:
        found = _COUNT_IN_STATE.scalar(connection, {"asset_id": asset_id, "state": state})
    return int(found or 0)


def _view(row: Any) -> IncidentView:
    return IncidentView(**row._mapping)


def by_ids(connection: Connection, ids: Sequence[int]) -> list[IncidentView]:
    """The incidents with these ids, in the order given."""
    if not ids:
        return []
    found = {row.id: _view(row) for row in connection.execute(_BY_IDS, {"ids": list(ids)})}
    return [found[i] for i in ids if i in found]


def by_urn(connection: Connection, urn: str) -> IncidentView | None:
    row = connection.execute(_BY_URN, {"urn": urn}).one_or_none()
    return None if row is None else _view(row)


def by_urns(connection: Connection, urns: Sequence[str]) -> dict[str, IncidentView]:
    """The incidents with these URNs (at most a page of them), by URN."""
    if not urns:
        return {}
    return {row.urn: _view(row) for row in connection.execute(_BY_URNS, {"urns": list(urns)})}


def assets_of(connection: Connection, incident_id: int) -> list[AssetView]:
    """The incident's assets, its `entity` first."""
    return [
        AssetView.of(row) for row in connection.execute(_ASSETS_OF, {"incident_id": incident_id})
    ]


def assignees_of(connection: Connection, incident_id: int) -> list[str]:
    return list(connection.scalars(_ASSIGNEES_OF, {"incident_id": incident_id}))


def assignments_of(
    connection: Connection, incident_id: int
) -> list[tuple[str, int | None, str | None]]:
    """(assignee, when assigned, by whom), in order; the stamp is None for an assignment
    older than migration 0019."""
    table = INCIDENT_ASSIGNEES.c
    query = (
        select(table.assignee_urn, table.assigned_at, table.assigned_by)
        .where(table.incident_id == incident_id)
        .order_by(table.position)
    )
    return [(urn, at, by) for urn, at, by in connection.execute(query)]


@dataclass
class IncidentFilter:
    state: str | None = None
    stage: str | None = None
    priority: str | None = None
    assignee_urns: list[str] = field(default_factory=list)

    @property
    def usual(self) -> bool:
        """Only a state, or nothing: the page is read from the asset's links alone."""
        return not (self.stage or self.priority or self.assignee_urns)


@dataclass
class IncidentPage:
    start: int
    count: int
    total: int
    incidents: list[IncidentView]


def check_page(start: int, count: int) -> None:
    if start < 0 or count < 0:
        raise InvalidInput(
            f"start and count must not be negative (got start={start}, count={count})."
        )
    if count > MAX_LIST_COUNT:
        raise InvalidInput(f"count must be at most {MAX_LIST_COUNT} (got {count}).")


def summary_total(asset: AssetView, state: str | None) -> int | None:
    """How many incidents on the asset are in this state (or any), when its summary keeps it:
    for ACTIVE and for any state; None for another state, which is counted."""
    if state == "ACTIVE":
        return asset.active_incidents
    if state is None:  # kept with the links: a hot asset's total is not counted
        return asset.incidents_total
    return None


def list_incidents(
    session: Session, asset: AssetView, filters: IncidentFilter, start: int = 0, count: int = 20
) -> IncidentPage:
    """One page of the incidents on an asset, newest first, and how many match in all.
    The page comes from the asset's links index; only the page's incidents are loaded."""
    check_page(start, count)
    if asset.id is None:
        return IncidentPage(start=start, count=count, total=0, incidents=[])
    connection = session.connection()
    if filters.usual:
        # The usual page: one statement, straight from the links' index (none for count 0).
        incidents = (
            page_on_asset(connection, asset.id, filters.state, start, count) if count else []
        )
        total = summary_total(asset, filters.state)
        if total is None:
            total = count_on_asset(connection, asset.id, filters.state)
        return IncidentPage(start, count, total, incidents)
    links = INCIDENT_ASSETS.c
    query = matching(filters).where(links.asset_id == asset.id)
    total = connection.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(links.created_at.desc(), links.incident_id.desc()).offset(start)
    page_ids = [row.incident_id for row in connection.execute(page.limit(count))]
    return IncidentPage(start, count, total, by_ids(connection, page_ids))


def matching(filters: IncidentFilter) -> Select[tuple[int, int, int]]:
    """The links (asset_id, incident_id, created_at) of the incidents that match the filters,
    on any asset: a caller narrows it to its assets."""
    links = INCIDENT_ASSETS.c
    query = select(links.asset_id, links.incident_id, links.created_at)
    if filters.state:
        query = query.where(links.state == filters.state)
    else:
        query = query.where(links.state != REMOVED)
    if filters.stage or filters.priority:
        query = query.join(INCIDENTS, INCIDENTS.c.id == links.incident_id)
        if filters.stage:
            query = query.where(INCIDENTS.c.stage == filters.stage)
        if filters.priority:
            query = query.where(INCIDENTS.c.priority == priority_number(filters.priority))
    if filters.assignee_urns:
        assigned = select(INCIDENT_ASSIGNEES.c.incident_id).where(
            INCIDENT_ASSIGNEES.c.assignee_urn.in_(filters.assignee_urns)
        )
        query = query.where(links.incident_id.in_(assigned))
    return query
