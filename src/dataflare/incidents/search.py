"""Incidents across all assets: free text, DataHub's incident filters (OR of ANDs), facets, and
a page newest first, all answered by the database.

The page is read from the incidents' own index in creation order (in one state, or any);
free text looks for every word in the title, description or custom type, in any case. The
facets count every match by state, type, priority and stage; their state counts add up to the
total, so no separate count is run. The `entities` and `assignees` facets count the matches on
each asset and for each assignee, the most frequent MAX_FACET_VALUES of each."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSET_OWNERS, ASSETS
from dataflare.catalog.search import MAX_FACET_VALUES, Facet
from dataflare.catalog.search_filters import ALIASES, Criterion, escape_like
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_SEARCH_COUNT
from dataflare.core.vocabulary import NUMBER_TO_PRIORITY, PRIORITY_TO_NUMBER
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENT_ASSIGNEES, INCIDENTS
from dataflare.incidents.queries import IncidentView, by_ids

_COLUMNS = INCIDENTS.c
# DataHub's names for the incident fields a search filters on, and the facets it shows.
FACETS = {
    "state": ("State", _COLUMNS.state),
    "type": ("Type", _COLUMNS.incident_type),
    "priority": ("Priority", _COLUMNS.priority),
    "stage": ("Stage", _COLUMNS.stage),
}
FILTER_FIELDS = (
    "state",
    "type",
    "customType",
    "priority",
    "stage",
    "entities",
    "assignees",
    "owners",
    "platform",
    "created",
    "lastUpdated",
    "removed",
)
TIMES = {"created": _COLUMNS.created_at, "lastUpdated": _COLUMNS.updated_at}
COMPARISONS = {
    "GREATER_THAN": operator.gt,
    "GREATER_THAN_OR_EQUAL_TO": operator.ge,
    "LESS_THAN": operator.lt,
    "LESS_THAN_OR_EQUAL_TO": operator.le,
}
SORT_FIELDS = {
    "created": _COLUMNS.created_at,
    "lastUpdated": _COLUMNS.updated_at,
    "priority": _COLUMNS.priority,  # 0 is CRITICAL: ASCENDING puts the most urgent first
}


@dataclass
class IncidentSearchPage:
    start: int
    total: int
    incidents: list[IncidentView]
    facets: list[Facet] = field(default_factory=list)


def search_incidents(
    session: Session,
    query: str,
    or_filters: Sequence[Sequence[Criterion]] = (),
    start: int = 0,
    count: int = 10,
    sort: tuple[str, str] | None = None,
    facets: bool = True,
    include_removed: bool = False,
) -> IncidentSearchPage:
    """One page of the incidents that match, their total and facet counts (none when `facets`
    is False); newest first, or by `sort` = (created | lastUpdated | priority, ASCENDING |
    DESCENDING). Removed (soft-deleted) incidents are found only when `include_removed`, or a
    filter names `removed`."""
    if start < 0 or count < 0 or count > MAX_SEARCH_COUNT:
        raise InvalidInput(
            f"start must be >= 0 and count between 0 and {MAX_SEARCH_COUNT} "
            f"(got start={start}, count={count})."
        )
    order = order_by(sort)
    where = incident_where(query, or_filters, include_removed)
    connection = session.connection()
    counted: list[Facet] = []
    if facets:
        counted = _facets(connection, where)
        counted += [_entities_facet(connection, where), _assignees_facet(connection, where)]
        total = sum(n for _, n in counted[0].counts)
    else:
        total = connection.scalar(select(func.count()).select_from(INCIDENTS).where(where)) or 0
    if not total or not count:
        return IncidentSearchPage(start, total, [], counted)
    page = select(_COLUMNS.id).where(where).order_by(*order).limit(count).offset(start)
    ids = list(connection.scalars(page))
    loaded = {view.id: view for view in by_ids(connection, ids)}
    return IncidentSearchPage(start, total, [loaded[i] for i in ids], counted)


def incident_where(
    query: str, or_filters: Sequence[Sequence[Criterion]], include_removed: bool = False
) -> ColumnElement[bool]:
    """What an incident matches: every word of the text, and the filters (an OR of ANDs);
    never a removed (soft-deleted) one, unless asked for or a filter names `removed`."""
    conditions = [_text(w) for w in query.split() if w != "*"]
    if not include_removed and not any(c.field == "removed" for g in or_filters for c in g):
        conditions.append(_COLUMNS.removed == false())
    if or_filters:
        conditions.append(or_(*(and_(true(), *map(_condition, group)) for group in or_filters)))
    return and_(true(), *conditions)


def _entities_facet(connection: Connection, where: ColumnElement[bool]) -> Facet:
    """The assets with the most matching incidents, by URN."""
    links = INCIDENT_ASSETS.c
    n = func.count().label("n")
    rows = connection.execute(
        select(ASSETS.c.urn, n)
        .select_from(INCIDENT_ASSETS)
        .join(INCIDENTS, _COLUMNS.id == links.incident_id)
        .join(ASSETS, ASSETS.c.id == links.asset_id)
        .where(where)
        .group_by(ASSETS.c.urn)
        .order_by(n.desc(), ASSETS.c.urn)
        .limit(MAX_FACET_VALUES)
    )
    return Facet("entities", "Asset", [(urn, count) for urn, count in rows])


def _assignees_facet(connection: Connection, where: ColumnElement[bool]) -> Facet:
    """The people and groups assigned the most matching incidents."""
    assignee = INCIDENT_ASSIGNEES.c.assignee_urn
    n = func.count().label("n")
    rows = connection.execute(
        select(assignee, n)
        .join(INCIDENTS, _COLUMNS.id == INCIDENT_ASSIGNEES.c.incident_id)
        .where(where)
        .group_by(assignee)
        .order_by(n.desc(), assignee)
        .limit(MAX_FACET_VALUES)
    )
    return Facet("assignees", "Assignee", [(urn, count) for urn, count in rows])


def _facets(connection: Connection, where: ColumnElement[bool]) -> list[Facet]:
    """State, type, priority and stage, counted in one pass over the matches: the database
    counts each combination of the four (a few hundred at most), summed here per field."""
    columns = [column for _, column in FACETS.values()]
    rows = list(connection.execute(select(*columns, func.count()).where(where).group_by(*columns)))
    found = []
    for place, (name, (display, _)) in enumerate(FACETS.items()):
        sums: dict[Any, int] = {}
        for row in rows:
            sums[row[place]] = sums.get(row[place], 0) + row[-1]
        found.append(Facet(name, display, _shown(name, sums)))
    return found


def _shown(name: str, sums: dict[Any, int]) -> list[tuple[str, int]]:
    counts = []
    for value, n in sums.items():
        if value is None:
            continue  # no priority, no stage: not a value to filter on
        shown = NUMBER_TO_PRIORITY.get(value, str(value)) if name == "priority" else value
        counts.append((shown, n))
    if name == "priority":
        counts.sort(key=lambda pair: PRIORITY_TO_NUMBER.get(pair[0], 99))
    else:
        counts.sort(key=lambda pair: (-pair[1], pair[0]))
    return counts


def order_by(sort: tuple[str, str] | None) -> list[Any]:
    """The ORDER BY of a page, ties broken by id so that paging never skips or repeats."""
    name, direction = sort or ("created", "DESCENDING")
    if name not in SORT_FIELDS:
        raise InvalidInput(
            f"Cannot sort incidents by '{name[:40]}': sort by {', '.join(SORT_FIELDS)}."
        )
    column = SORT_FIELDS[name]
    if direction == "ASCENDING":
        return [column.asc().nulls_last(), _COLUMNS.id.asc()]
    return [column.desc().nulls_last(), _COLUMNS.id.desc()]


def _text(word: str) -> ColumnElement[bool]:
    pattern = f"%{escape_like(word)}%"
    return or_(
        _COLUMNS.title.ilike(pattern, escape="\\"),
        _COLUMNS.description.ilike(pattern, escape="\\"),
        _COLUMNS.custom_type.ilike(pattern, escape="\\"),
    )


def _condition(criterion: Criterion) -> ColumnElement[bool]:
    if criterion.field in TIMES and criterion.condition in COMPARISONS:
        found = _compared(criterion)
    elif criterion.condition in ("EQUAL", "IN"):
        found = _matching(criterion.field, list(criterion.values))
    else:
        raise InvalidInput(
            f"Incident filters take EQUAL (or IN), and on created or lastUpdated also "
            f"{', '.join(COMPARISONS)} (got {criterion.condition} on '{criterion.field}')."
        )
    return not_(found) if criterion.negated else found


def _compared(criterion: Criterion) -> ColumnElement[bool]:
    """created or lastUpdated against one time, in epoch milliseconds."""
    values = list(criterion.values)
    if len(values) != 1 or not values[0].lstrip("-").isdigit() or len(values[0]) > 19:
        raise InvalidInput(
            f"{criterion.condition} on '{criterion.field}' takes one time in epoch "
            f"milliseconds (got {', '.join(v[:30] for v in values) or 'none'})."
        )
    compare = COMPARISONS[criterion.condition]
    result: ColumnElement[bool] = compare(TIMES[criterion.field], int(values[0]))
    return result


def _matching(name: str, values: list[str]) -> ColumnElement[bool]:
    name = ALIASES.get(name, name)
    if not values:
        return false()
    if name == "removed":  # soft-deleted
        wanted = {v.lower() for v in values}
        if not wanted <= {"true", "false"}:
            raise InvalidInput("removed takes the values 'true' or 'false'.")
        return _COLUMNS.removed.in_([v == "true" for v in wanted])
    if name == "state":
        return _COLUMNS.state.in_(values)
    if name == "type":
        return _COLUMNS.incident_type.in_(values)
    if name == "customType":
        return _COLUMNS.custom_type.in_(values)
    if name == "stage":
        return _COLUMNS.stage.in_(values)
    if name == "priority":
        return _COLUMNS.priority.in_([_priority(v) for v in values])
    if name == "entities":
        on_assets = (
            select(INCIDENT_ASSETS.c.incident_id)
            .join(ASSETS, ASSETS.c.id == INCIDENT_ASSETS.c.asset_id)
            .where(ASSETS.c.urn.in_(values))
            .correlate(None)  # on its own, whatever the statement around it joins
        )
        return _COLUMNS.id.in_(on_assets)
    if name in ("owners", "platform"):
        # The incidents linked to the assets of these platforms or owners: a set read from the
        # links' asset index, not a lookup for each incident.
        if name == "platform":
            platforms = [v.removeprefix("urn:li:dataPlatform:") for v in values]
            assets = select(ASSETS.c.id).where(ASSETS.c.platform.in_(platforms))
        else:
            assets = select(ASSET_OWNERS.c.asset_id).where(ASSET_OWNERS.c.owner_urn.in_(values))
        linked = select(INCIDENT_ASSETS.c.incident_id).where(
            INCIDENT_ASSETS.c.asset_id.in_(assets.correlate(None))
        )
        return _COLUMNS.id.in_(linked.correlate(None))
    if name in TIMES:
        raise InvalidInput(
            f"Filter '{name}' with GREATER_THAN, LESS_THAN (or ..._OR_EQUAL_TO) and one time "
            "in epoch milliseconds."
        )
    if name == "assignees":
        assigned = (
            select(INCIDENT_ASSIGNEES.c.incident_id)
            .where(INCIDENT_ASSIGNEES.c.assignee_urn.in_(values))
            .correlate(None)
        )
        return _COLUMNS.id.in_(assigned)
    raise InvalidInput(
        f"Cannot filter incidents on '{name}': filter on {', '.join(FILTER_FIELDS)}."
    )


def _priority(value: str) -> int:
    """A priority as DataHub names it (CRITICAL .. LOW) or numbers it (0 .. 3)."""
    if value.upper() in PRIORITY_TO_NUMBER:
        return PRIORITY_TO_NUMBER[value.upper()]
    if value.isdigit() and int(value) in NUMBER_TO_PRIORITY:
        return int(value)
    raise InvalidInput(
        f"Unknown priority '{value[:40]}': use one of {', '.join(PRIORITY_TO_NUMBER)} (or 0 to 3)."
    )
