"""What the API shows of many incidents, or of many assets' incidents, read at once: one
statement for all the keys given (callers keep the keys to a chunk, db/chunks.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select, union_all

from dataflare.catalog.models import ASSETS
from dataflare.catalog.queries import AssetView
from dataflare.db.chunks import chunks
from dataflare.incidents.models import (
    INCIDENT_ASSETS,
    INCIDENT_ASSIGNEES,
    INCIDENTS,
)
from dataflare.incidents.queries import (
    IncidentFilter,
    IncidentPage,
    IncidentView,
    by_ids,
    matching,
    page_on_asset,
)
from dataflare.incidents.rules import REMOVED

_LINKS = INCIDENT_ASSETS.c
_FIELDS = [INCIDENTS.c[name] for name in IncidentView.__slots__]
_NEWEST_FIRST = (_LINKS.created_at.desc(), _LINKS.incident_id.desc())
PAGES_PER_STATEMENT = 100  # SQLite takes at most 500 parts in a UNION ALL


def assignees(connection: Connection, incident_ids: Sequence[int]) -> dict[int, list[str]]:
    """Incident id -> its assignees' URNs, in order."""
    rows = connection.execute(
        select(INCIDENT_ASSIGNEES.c.incident_id, INCIDENT_ASSIGNEES.c.assignee_urn)
        .where(INCIDENT_ASSIGNEES.c.incident_id.in_(incident_ids))
        .order_by(INCIDENT_ASSIGNEES.c.incident_id, INCIDENT_ASSIGNEES.c.position)
    )
    found: dict[int, list[str]] = {}
    for incident_id, urn in rows:
        found.setdefault(incident_id, []).append(urn)
    return found


def sources(connection: Connection, incident_ids: Sequence[int]) -> dict[int, str]:
    """Incident id -> the URN of what generated it (an assertion), for those that have one."""
    rows = connection.execute(
        select(INCIDENTS.c.id, INCIDENTS.c.source_urn).where(
            INCIDENTS.c.id.in_(incident_ids), INCIDENTS.c.source_urn.is_not(None)
        )
    )
    return {incident_id: urn for incident_id, urn in rows}


def assets(connection: Connection, incident_ids: Sequence[int]) -> dict[int, list[AssetView]]:
    """Incident id -> its assets, its `entity` first."""
    rows = connection.execute(
        select(_LINKS.incident_id.label("linked_incident"), ASSETS)
        .join(INCIDENT_ASSETS, _LINKS.asset_id == ASSETS.c.id)
        .where(_LINKS.incident_id.in_(incident_ids))
        .order_by(_LINKS.incident_id, _LINKS.position)
    )
    found: dict[int, list[AssetView]] = {}
    for row in rows:
        found.setdefault(row.linked_incident, []).append(AssetView.of(row))
    return found


def pages_on_assets(
    connection: Connection, asset_ids: Sequence[int], state: str | None, start: int, count: int
) -> dict[int, list[IncidentView]]:
    """The same page (newest first, in one state or any) of each asset's incidents: one
    statement, each asset's part read from the links' index as a single page would be."""
    if len(asset_ids) == 1:  # the usual request, one asset: the driver statement of one page
        return {asset_ids[0]: page_on_asset(connection, asset_ids[0], state, start, count)}
    parts = []
    for asset_id in asset_ids:
        part = (
            select(*_FIELDS, _LINKS.asset_id.label("page_of"), _LINKS.created_at.label("linked"))
            .join(INCIDENT_ASSETS, _LINKS.incident_id == INCIDENTS.c.id)
            .where(_LINKS.asset_id == asset_id)
        )
        if state is not None:
            part = part.where(_LINKS.state == state)
        else:
            part = part.where(_LINKS.state != REMOVED)
        parts.append(select(part.order_by(*_NEWEST_FIRST).limit(count).offset(start).subquery()))
    if not parts:
        return {}
    rows = list(connection.execute(union_all(*parts) if len(parts) > 1 else parts[0]))
    # The order within each part is not kept by UNION ALL: newest first again, here.
    rows.sort(key=lambda row: (-row.linked, -row.id))
    width = len(_FIELDS)
    found: dict[int, list[IncidentView]] = {}
    for row in rows:
        found.setdefault(row.page_of, []).append(IncidentView(*row[:width]))
    return found


def counts_on_assets(
    connection: Connection, asset_ids: Sequence[int], state: str
) -> dict[int, int]:
    """Asset id -> how many of its incidents are in this state (assets with none left out)."""
    rows = connection.execute(
        select(_LINKS.asset_id, func.count())
        .where(_LINKS.asset_id.in_(asset_ids), _LINKS.state == state)
        .group_by(_LINKS.asset_id)
    )
    return {asset_id: int(n) for asset_id, n in rows}


def filtered_pages_on_assets(
    connection: Connection,
    asset_ids: Sequence[int],
    filters: IncidentFilter,
    start: int,
    count: int,
) -> dict[int, IncidentPage]:
    """The same filtered page of each asset's incidents, with each one's total: a statement for
    the totals, one for the pages' links (none for a page of 0), one for their incidents."""
    query = matching(filters)
    counted = query.where(_LINKS.asset_id.in_(asset_ids)).subquery()
    totals_query = select(counted.c.asset_id, func.count()).group_by(counted.c.asset_id)
    totals = {asset_id: int(n) for asset_id, n in connection.execute(totals_query)}
    parts = [
        select(
            query.where(_LINKS.asset_id == asset_id)
            .order_by(*_NEWEST_FIRST)
            .limit(count)
            .offset(start)
            .subquery()
        )
        for asset_id in asset_ids
        if count and totals.get(asset_id)
    ]
    links = list(connection.execute(union_all(*parts))) if parts else []
    links.sort(key=lambda row: (-row.created_at, -row.incident_id))
    ids = [row.incident_id for row in links]
    incidents = {i.id: i for part in chunks(ids) for i in by_ids(connection, part)}
    pages = {i: IncidentPage(start, count, totals.get(i, 0), []) for i in asset_ids}
    for row in links:
        pages[row.asset_id].incidents.append(incidents[row.incident_id])
    return pages
