"""Incidents across all assets: free text, DataHub's incident filters (OR of ANDs), facets, and
a page newest first, all answered by the database.

The page is read from the incidents' own index in creation order (in one state, or any);
free text looks for every word in the title, description or custom type, in any case. The
facets count every match by state, type, priority and stage; their state counts add up to the
total, so no separate count is run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Connection, and_, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSETS
from dataflare.catalog.search import Facet
from dataflare.catalog.search_filters import Criterion, escape_like
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
FILTER_FIELDS = ("state", "type", "customType", "priority", "stage", "entities", "assignees")


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
) -> IncidentSearchPage:
    """One page of the incidents that match, newest first, their total and facet counts."""
    if start < 0 or count < 0 or count > MAX_SEARCH_COUNT:
        raise InvalidInput(
            f"start must be >= 0 and count between 0 and {MAX_SEARCH_COUNT} "
            f"(got start={start}, count={count})."
        )
    conditions = [_text(w) for w in query.split() if w != "*"]
    if or_filters:
        conditions.append(or_(*(and_(true(), *map(_condition, group)) for group in or_filters)))
    where = and_(true(), *conditions)
    connection = session.connection()
    facets = [_facet(connection, name, where) for name in FACETS]
    total = sum(n for _, n in facets[0].counts)
    if not total or not count:
        return IncidentSearchPage(start, total, [], facets)
    page = (
        select(_COLUMNS.id)
        .where(where)
        .order_by(_COLUMNS.created_at.desc(), _COLUMNS.id.desc())
        .limit(count)
        .offset(start)
    )
    ids = list(connection.scalars(page))
    loaded = {view.id: view for view in by_ids(connection, ids)}
    return IncidentSearchPage(start, total, [loaded[i] for i in ids], facets)


def _facet(connection: Connection, name: str, where: ColumnElement[bool]) -> Facet:
    display, column = FACETS[name]
    rows = connection.execute(select(column, func.count()).where(where).group_by(column))
    counts = []
    for value, n in rows:
        if value is None:
            continue  # no priority, no stage: not a value to filter on
        shown = NUMBER_TO_PRIORITY.get(value, str(value)) if name == "priority" else value
        counts.append((shown, n))
    if name == "priority":
        counts.sort(key=lambda pair: PRIORITY_TO_NUMBER.get(pair[0], 99))
    else:
        counts.sort(key=lambda pair: (-pair[1], pair[0]))
    return Facet(name, display, counts)


def _text(word: str) -> ColumnElement[bool]:
    pattern = f"%{escape_like(word)}%"
    return or_(
        _COLUMNS.title.ilike(pattern, escape="\\"),
        _COLUMNS.description.ilike(pattern, escape="\\"),
        _COLUMNS.custom_type.ilike(pattern, escape="\\"),
    )


def _condition(criterion: Criterion) -> ColumnElement[bool]:
    if criterion.condition != "EQUAL":
        raise InvalidInput(
            f"Incident filters take the condition EQUAL only (got {criterion.condition} on "
            f"'{criterion.field}')."
        )
    found = _matching(criterion.field, list(criterion.values))
    return not_(found) if criterion.negated else found


def _matching(name: str, values: list[str]) -> ColumnElement[bool]:
    if not values:
        return false()
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
        )
        return _COLUMNS.id.in_(on_assets)
    if name == "assignees":
        assigned = select(INCIDENT_ASSIGNEES.c.incident_id).where(
            INCIDENT_ASSIGNEES.c.assignee_urn.in_(values)
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
