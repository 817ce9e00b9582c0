"""Incidents that match a search, grouped by asset, owner, type or assignee: each group's count,
then its first incidents, all answered by the database.

An incident on two assets (or with two assignees, or two owners) counts in each of their
groups. Groups come largest first, at most MAX_GROUPS of them; each shows at most `each`
incidents, in the search's order, all read in one statement. The assignee grouping counts the
unassigned matches too (key ""), so that nothing matched is out of every group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, FromClause, func, select
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSET_OWNERS, ASSETS
from dataflare.catalog.search_filters import Criterion
from dataflare.core.errors import InvalidInput
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENT_ASSIGNEES, INCIDENTS
from dataflare.incidents.queries import IncidentView, by_ids
from dataflare.incidents.search import SORT_FIELDS, incident_where, order_by

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
    order_by(sort)  # refuses a sort it does not know
    where = incident_where(query, or_filters)
    connection = session.connection()
    key, joined = _joined(by)
    pairs = select(key.label("key"), _ID.label("id")).select_from(joined).where(where)
    if by == "owner":  # an incident on two assets of one owner counts once for them
        pairs = pairs.distinct()
    counted = pairs.subquery()
    n = func.count().label("n")
    grouped = select(counted.c.key, n).group_by(counted.c.key)
    total = connection.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    largest = grouped.order_by(n.desc(), counted.c.key).limit(MAX_GROUPS)
    rows: list[tuple[str, int]] = [(k, c) for k, c in connection.execute(largest)]
    firsts = _firsts(connection, by, (key, joined, where), [k for k, _ in rows], sort, each)
    loaded = {
        view.id: view for view in by_ids(connection, [i for ids in firsts.values() for i in ids])
    }
    groups = [Group(k, c, [loaded[i] for i in firsts.get(k, []) if i in loaded]) for k, c in rows]
    return Grouping(by, total, groups)


def _joined(by: str) -> tuple[ColumnElement[str], FromClause]:
    """The group's key, and the incidents joined to what it is read from."""
    if by == "type":
        return INCIDENTS.c.incident_type, INCIDENTS
    if by == "assignee":  # the unassigned, as the group ""
        assignee = INCIDENT_ASSIGNEES.c.assignee_urn
        on = INCIDENT_ASSIGNEES.c.incident_id == _ID
        return func.coalesce(assignee, ""), INCIDENTS.outerjoin(INCIDENT_ASSIGNEES, on)
    joined = INCIDENTS.join(INCIDENT_ASSETS, _LINKS.incident_id == _ID)
    if by == "asset":
        return ASSETS.c.urn, joined.join(ASSETS, ASSETS.c.id == _LINKS.asset_id)
    owners = ASSET_OWNERS.c
    return owners.owner_urn, joined.join(ASSET_OWNERS, owners.asset_id == _LINKS.asset_id)


def _firsts(
    connection: Connection,
    by: str,
    read: tuple[ColumnElement[str], FromClause, ColumnElement[bool]],
    keys: list[str],
    sort: tuple[str, str] | None,
    each: int,
) -> dict[str, list[int]]:
    """Each group's first `each` incidents in the search's order: one statement for all the
    groups (a row number within each group)."""
    if not keys or not each:
        return {}
    key, joined, where = read
    name, direction = sort or ("created", "DESCENDING")
    sort_column = SORT_FIELDS[name]
    members_of = (
        select(key.label("key"), _ID.label("id"), sort_column.label("sorted"))
        .select_from(joined)
        .where(where, key.in_(keys))
    )
    # Only an owner's can hold an incident twice (on two of their assets).
    members = (members_of.distinct() if by == "owner" else members_of).subquery()
    if direction == "ASCENDING":
        order = [members.c.sorted.asc().nulls_last(), members.c.id.asc()]
    else:
        order = [members.c.sorted.desc().nulls_last(), members.c.id.desc()]
    number = func.row_number().over(partition_by=members.c.key, order_by=order).label("number")
    ranked = select(members.c.key, members.c.id, number).subquery()
    rows = connection.execute(
        select(ranked.c.key, ranked.c.id)
        .where(ranked.c.number <= each)
        .order_by(ranked.c.key, ranked.c.number)
    )
    found: dict[str, list[int]] = {}
    for group_key, incident_id in rows:
        found.setdefault(group_key, []).append(incident_id)
    return found
