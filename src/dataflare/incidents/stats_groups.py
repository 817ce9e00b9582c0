"""Figures per group (platform, owner, asset, type or priority).

Two kinds of incident count in a period:

- the moving ones, raised in it or resolved since its start: found first, on the incidents'
  own indexes, then joined with their links when grouped by asset; each row is counted and its
  durations ranked by incidents/stats_counts.py. Joining first let SQLite walk every
  owner's every incident: its grouped counts alone took 4.9 s for 30 days of a
  1,000,000-incident history (bench/README.md, "The Insights page at 1,000,000 incidents");
- the backlog, still active and raised before the period: it only adds to "open at the end",
  so the database counts it per group from the links, which keep each incident's state and
  creation time beside the asset. A long history's never-resolved incidents are then never
  read row by row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Select,
    and_,
    distinct,
    false,
    func,
    or_,
    select,
)

from dataflare.catalog.models import ASSET_OWNERS, ASSETS
from dataflare.db.driver import fetch_all
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS
from dataflare.incidents.stats_counts import ON_ASSETS, Counts, cell_columns, named_groups
from dataflare.incidents.stats_values import Figures

TIMES = ("created_at", "resolved_at", "acknowledged_at")
ACTIVE = "ACTIVE"

_I = INCIDENTS.c
_L = INCIDENT_ASSETS.c
NOT_REMOVED = _I.removed.is_(false())  # a soft-deleted incident counts nowhere
_ASSET_KEYS = {"PLATFORM": ASSETS.c.platform, "ASSET": ASSETS.c.urn}


def grouped_figures(
    connection: Connection,
    start: int,
    end: int,
    groupings: Sequence[str],
) -> dict[str, dict[str, Figures]]:
    """{grouping: {group name: its figures}}, for the groups with anything in the period, of
    the incidents not removed. Several groupings come from the same rows (the Insights page's
    platforms and owners)."""
    rows = fetch_all(connection, _keyed(_moving(start, end, [NOT_REMOVED]), groupings))
    counts = Counts(rows, start, end, groupings)
    found = {group_by: counts.groups(connection, group_by) for group_by in groupings}
    for group_by, figures in found.items():
        for key, count in _backlog(connection, start, group_by).items():
            figures.setdefault(key, Figures()).open_at_end += count
    return named_groups(found)


def _moving(start: int, end: int, matching: list[ColumnElement[bool]]) -> CTE:
    """The incidents raised in the period or resolved since its start, each found through an
    index. Materialized on SQLite, so that it does not walk the links first; PostgreSQL plans
    better without (it hashes the links either way)."""
    moving = or_(and_(_I.created_at >= start, _I.created_at < end), _I.resolved_at >= start)
    found = select(_I.id, _I.incident_type, _I.priority, *(_I[name] for name in TIMES)).where(
        *matching, moving
    )
    return found.cte("moving").prefix_with("MATERIALIZED", dialect="sqlite")


def _backlog(connection: Connection, start: int, group_by: str) -> dict[Any, int]:
    """{group key: incidents still active that were raised before `start`}. None of them is
    among the moving ones (active means never resolved since), and each is open at the end."""
    if group_by not in ON_ASSETS:  # a column of the incident
        key = _I.incident_type if group_by == "TYPE" else _I.priority
        query = (
            select(key, func.count())
            .where(NOT_REMOVED, _I.state == ACTIVE, _I.created_at < start)
            .group_by(key)
        )
        return dict(connection.execute(query).all())
    # The links' state is the incident's (REMOVED once it is removed).
    key = ASSET_OWNERS.c.owner_urn if group_by == "OWNER" else _ASSET_KEYS[group_by]
    counted = func.count(distinct(_L.incident_id))  # once per group, however many assets
    query = select(key, counted).where(_L.state == ACTIVE, _L.created_at < start)
    if group_by == "OWNER":
        query = query.select_from(ASSET_OWNERS).join(
            INCIDENT_ASSETS, _L.asset_id == ASSET_OWNERS.c.asset_id
        )
    else:
        query = query.select_from(ASSETS).join(INCIDENT_ASSETS, _L.asset_id == ASSETS.c.id)
    return dict(connection.execute(query.group_by(key)).all())


def _keyed(relevant: CTE, groupings: Sequence[str]) -> Select[Any]:
    """(incident, created, resolved, acknowledged, then its cell) rows: one per asset of the
    incident when a grouping is on its assets (incidents/stats_counts.py)."""
    r = relevant.c
    cells = {"asset_id": _L.asset_id, "incident_type": r.incident_type, "priority": r.priority}
    columns = [cells[name] for name in cell_columns(groupings)]
    query = select(r.id, *(r[name] for name in TIMES), *columns)
    if set(groupings) & ON_ASSETS:
        return query.select_from(relevant.join(INCIDENT_ASSETS, _L.incident_id == r.id))
    return query
