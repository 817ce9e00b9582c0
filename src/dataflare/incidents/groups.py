"""Incidents that match a search, grouped by asset, owner, type or assignee: each group's count,
then its first incidents, all answered by the database.

An incident on two assets (or with two assignees, or two owners) counts in each of their
groups. Groups come largest first, at most MAX_GROUPS of them; each shows at most `each`
incidents, in the search's order. The assignee grouping also counts the unassigned matches
(key ""), so that nothing matched is out of every group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSET_OWNERS, ASSETS
from dataflare.catalog.search_filters import Criterion
from dataflare.core.errors import InvalidInput
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENT_ASSIGNEES, INCIDENTS
from dataflare.incidents.queries import IncidentView, by_ids
from dataflare.incidents.search import incident_where, order_by

GROUP_BY = ("asset", "owner", "type", "assignee")
MAX_GROUPS = 20
_ID = INCIDENTS.c.id
_LINKS = INCIDENT_ASSETS.c


@dataclass(frozen=True)
class Group:
    key: str  # an asset URN, an owner URN, an incident type, an assignee URN ("" for nobody)
    count: int
    incidents: list[IncidentView]


@dataclass(frozen=True)
class Grouping:
    by: str
    total: int  # how many groups there are; `groups` holds at most MAX_GROUPS
    groups: list[Group]


def group_incidents(
    session: Session,
    query: str,
    or_filters: Sequence[Sequence[Criterion]],
    by: str,
    sort: tuple[str, str] | None = None,
    each: int = 5,
) -> Grouping:
    if by not in GROUP_BY:
        raise InvalidInput(
            f"Cannot group incidents by '{by[:40]}': group by {', '.join(GROUP_BY)}."
        )
    where = incident_where(query, or_filters)
    order = order_by(sort)
    connection = session.connection()
    key, counted = _counted(by, where)
    n = func.count(func.distinct(_ID)).label("n")
    grouped = counted.add_columns(n).group_by(key)
    total = connection.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    rows: list[tuple[str, int]] = [
        (value, count)
        for value, count in connection.execute(grouped.order_by(n.desc(), key).limit(MAX_GROUPS))
    ]
    if by == "assignee" and len(rows) < MAX_GROUPS:
        nobody = connection.scalar(
            select(func.count()).select_from(INCIDENTS).where(where, ~_assigned())
        )
        if nobody:
            rows.append(("", nobody))
            total += 1
    groups = []
    for value, count in rows:
        page = select(_ID).where(where, member(by, value)).order_by(*order).limit(each)
        ids = list(connection.scalars(page))
        groups.append(Group(value, count, by_ids(connection, ids)))
    return Grouping(by, total, groups)


def _counted(by: str, where: ColumnElement[bool]) -> tuple[ColumnElement[str], Select[tuple[str]]]:
    """The group's key column, and the matches joined to it (not yet counted)."""
    if by == "type":
        return INCIDENTS.c.incident_type, select(INCIDENTS.c.incident_type).where(where)
    if by == "assignee":
        key = INCIDENT_ASSIGNEES.c.assignee_urn
        joined = INCIDENTS.join(INCIDENT_ASSIGNEES, INCIDENT_ASSIGNEES.c.incident_id == _ID)
        return key, select(key).select_from(joined).where(where)
    joined = INCIDENTS.join(INCIDENT_ASSETS, _LINKS.incident_id == _ID)
    if by == "asset":
        joined = joined.join(ASSETS, ASSETS.c.id == _LINKS.asset_id)
        return ASSETS.c.urn, select(ASSETS.c.urn).select_from(joined).where(where)
    joined = joined.join(ASSET_OWNERS, ASSET_OWNERS.c.asset_id == _LINKS.asset_id)
    key = ASSET_OWNERS.c.owner_urn
    return key, select(key).select_from(joined).where(where)


def _assigned() -> ColumnElement[bool]:
    return (
        select(INCIDENT_ASSIGNEES.c.incident_id)
        .where(INCIDENT_ASSIGNEES.c.incident_id == _ID)
        .correlate(INCIDENTS)
        .exists()
    )


def member(by: str, value: str) -> ColumnElement[bool]:
    """Whether an incident belongs to the group `value` of the grouping `by`."""
    if by == "type":
        return INCIDENTS.c.incident_type == value
    if by == "assignee":
        if not value:
            return ~_assigned()
        on = select(INCIDENT_ASSIGNEES.c.incident_id).where(
            INCIDENT_ASSIGNEES.c.assignee_urn == value
        )
        return _ID.in_(on.correlate(None))
    links = select(_LINKS.incident_id).join(ASSETS, ASSETS.c.id == _LINKS.asset_id)
    if by == "asset":
        return _ID.in_(links.where(ASSETS.c.urn == value).correlate(None))
    owned = select(ASSET_OWNERS.c.asset_id).where(ASSET_OWNERS.c.owner_urn == value)
    return _ID.in_(links.where(ASSETS.c.id.in_(owned)).correlate(None))
