"""Figures per group (platform, owner, asset, type or priority).

Two kinds of incident count in a period:

- the moving ones, raised in it or resolved since its start: found first, on the incidents'
  own indexes, then joined with their assets (and those assets' owners); each (incident,
  group) row is counted and its durations ranked here. Joining first let SQLite walk every
  owner's every incident: its grouped counts alone took 4.9 s for 30 days of a
  1,000,000-incident history (bench/README.md, "The Insights page at 1,000,000 incidents");
- the backlog, still active and raised before the period: it only adds to "open at the end",
  so the database counts it per group from the links, which keep each incident's state and
  creation time beside the asset. A long history's never-resolved incidents are then never
  read row by row."""

from __future__ import annotations

from collections import defaultdict
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
from dataflare.core.vocabulary import NUMBER_TO_PRIORITY
from dataflare.db.driver import fetch_all
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS
from dataflare.incidents.stats_values import Figures, durations

ON_ASSETS = {"PLATFORM", "ASSET", "OWNER"}  # groups an incident can be in several of
TIMES = ("created_at", "resolved_at", "acknowledged_at")
NO_PRIORITY = "NONE"  # the group of incidents raised without a priority
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
    found: dict[str, dict[str, Figures]] = {}
    for column, group_by in enumerate(groupings, start=1 + len(TIMES)):
        # Once per (incident, group): an incident on two kafka topics counts once for kafka.
        unique = {(row[0], row[column]): row for row in rows}
        per_group: defaultdict[Any, list[Any]] = defaultdict(list)
        for (_, key), row in unique.items():
            per_group[key].append(row)
        if group_by == "OWNER":
            per_group.pop(None, None)  # the incidents on assets that have no owner
        figures = {key: figures_of(its, start, end) for key, its in per_group.items()}
        for key, count in _backlog(connection, start, group_by).items():
            figures.setdefault(key, Figures()).open_at_end += count
        found[group_by] = {
            name_of(group_by, k): f
            for k, f in figures.items()
            if f.raised or f.resolved or f.open_at_end
        }
    return found


def name_of(group_by: str, key: Any) -> str:
    if group_by == "PRIORITY":  # kept as a number
        return NO_PRIORITY if key is None else NUMBER_TO_PRIORITY[key]
    return str(key)


def figures_of(rows: list[Any], start: int, end: int) -> Figures:
    """One group's figures from its (incident, created, resolved, acknowledged, ...) rows."""
    raised = [(row[1], row[3]) for row in rows if start <= row[1] < end]
    to_resolve = [row[2] - row[1] for row in rows if row[2] is not None and start <= row[2] < end]
    still_open = sum(1 for row in rows if row[1] < end and (row[2] is None or row[2] >= end))
    to_acknowledge = [acked - created for created, acked in raised if acked is not None]
    return Figures(
        len(raised), len(to_resolve), still_open, durations(to_acknowledge), durations(to_resolve)
    )


def _moving(start: int, end: int, matching: list[ColumnElement[bool]]) -> CTE:
    """The incidents raised in the period or resolved since its start, each found through an
    index. Materialized on SQLite, so that it does not join the assets first; PostgreSQL plans
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
    """(incident, created, resolved, acknowledged, then a key per grouping) rows: one per
    asset and owner of the incident when a grouping needs them."""
    r = relevant.c
    keys = {
        "TYPE": r.incident_type,
        "PRIORITY": r.priority,
        **_ASSET_KEYS,
        "OWNER": ASSET_OWNERS.c.owner_urn,
    }
    query = select(r.id, *(r[name] for name in TIMES), *(keys[g] for g in groupings))
    joined: Any = relevant
    if set(groupings) & ON_ASSETS:
        joined = joined.join(INCIDENT_ASSETS, _L.incident_id == r.id)
    if set(groupings) & {"PLATFORM", "ASSET"}:
        joined = joined.join(ASSETS, ASSETS.c.id == _L.asset_id)
    if "OWNER" in groupings:  # the links name the assets whose owners count
        owned = ASSET_OWNERS.c.asset_id == _L.asset_id
        joined = joined.join(ASSET_OWNERS, owned, isouter=len(groupings) > 1)
    return query.select_from(joined)
