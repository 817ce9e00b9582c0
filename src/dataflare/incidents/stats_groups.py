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

from collections import Counter, defaultdict
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
    found = per_group(rows, start, end, groupings)
    for group_by, figures in found.items():
        for key, count in _backlog(connection, start, group_by).items():
            figures.setdefault(key, Figures()).open_at_end += count
    return named_groups(found)


# What an incident adds to its groups' figures: (raised in the period, time to acknowledge,
# resolved in it, time to resolve, open at its end); the times are None where it adds none.
Adds = tuple[bool, int | None, bool, int | None, bool]


def per_group(
    rows: list[Any], start: int, end: int, groupings: Sequence[str]
) -> dict[str, dict[Any, Figures]]:
    """{grouping: {group key: its figures}} from (incident, created, resolved, acknowledged,
    then a key per grouping) rows, each incident once per group it is in (an incident on two
    kafka topics counts once for kafka). Only the incidents of several rows are checked for
    that: a year of one priority is 115,000 rows, where a set of pairs cost a third of the time."""
    adds = _what_each_adds(rows, start, end)
    several = {incident for incident, n in Counter(row[0] for row in rows).items() if n > 1}
    found: dict[str, dict[Any, Figures]] = {}
    for column, group_by in enumerate(groupings, start=1 + len(TIMES)):
        # key -> [raised, open at the end, times to acknowledge, times to resolve]
        sums: defaultdict[Any, list[Any]] = defaultdict(lambda: [0, 0, [], []])
        seen: set[tuple[Any, int]] = set()
        for row in rows:
            incident, key = row[0], row[column]
            if incident in several:
                if (key, incident) in seen:
                    continue
                seen.add((key, incident))
            raised, to_acknowledge, _, to_resolve, still_open = adds[incident]
            group = sums[key]
            group[0] += raised
            group[1] += still_open
            if to_acknowledge is not None:
                group[2].append(to_acknowledge)
            if to_resolve is not None:
                group[3].append(to_resolve)
        if group_by == "OWNER":
            sums.pop(None, None)  # the incidents on assets that have no owner
        found[group_by] = {
            key: Figures(raised, len(took), still_open, durations(acked), durations(took))
            for key, (raised, still_open, acked, took) in sums.items()
        }
    return found


def named_groups(found: dict[str, dict[Any, Figures]]) -> dict[str, dict[str, Figures]]:
    """The groups with anything in the period, by name."""
    return {
        group_by: {
            name_of(group_by, key): f
            for key, f in figures.items()
            if f.raised or f.resolved or f.open_at_end
        }
        for group_by, figures in found.items()
    }


def _what_each_adds(rows: list[Any], start: int, end: int) -> dict[int, Adds]:
    """{incident: what it adds}, from its first row."""
    adds: dict[int, Adds] = {}
    for row in rows:
        incident, created, resolved, acknowledged = row[0], row[1], row[2], row[3]
        if incident in adds:
            continue
        raised = start <= created < end
        done = resolved is not None and start <= resolved < end
        adds[incident] = (
            raised,
            acknowledged - created if raised and acknowledged is not None else None,
            done,
            resolved - created if done else None,
            created < end and (resolved is None or resolved >= end),
        )
    return adds


def totals_of(rows: list[Any], start: int, end: int) -> Figures:
    """The figures of the incidents of the rows, each once."""
    adds = _what_each_adds(rows, start, end).values()
    to_acknowledge = [a[1] for a in adds if a[1] is not None]
    to_resolve = [a[3] for a in adds if a[3] is not None]
    return Figures(
        sum(a[0] for a in adds),
        len(to_resolve),
        sum(a[4] for a in adds),
        durations(to_acknowledge),
        durations(to_resolve),
    )


def name_of(group_by: str, key: Any) -> str:
    if group_by == "PRIORITY":  # kept as a number
        return NO_PRIORITY if key is None else NUMBER_TO_PRIORITY[key]
    return str(key)


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
