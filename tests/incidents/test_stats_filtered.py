"""Exact filtered figures (incidents/stats_filtered.py, read from the incidents' links) against
the definitions of docs/insights.md applied here, incident by incident, to the same random history
as the rollups' tests (400 incidents over 100 days, some on two assets, some reopened or
removed), on both databases: every filter alone and combined, each grouping, days and noisiest
assets, over periods that start before the history, inside it and end after it."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from dataflare.catalog.models import ASSET_OWNERS, ASSETS
from dataflare.core.vocabulary import NUMBER_TO_PRIORITY
from dataflare.db.database import Database
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS
from dataflare.incidents.stats import (
    DAY_MS,
    NOISIEST,
    incident_groups,
    incident_stats,
    page_figures,
)
from dataflare.incidents.stats_values import Bucket, Durations, Figures, StatsFilters
from tests.conftest import GraphQL
from tests.incidents.test_stats_rollups import ASSETS as URNS
from tests.incidents.test_stats_rollups import END, OWNERS, START, _history
from tests.ingest.mcps import ingest, ownership

EXACT = 10**9


@dataclass
class Known:
    """One incident as the definitions see it."""

    created: int
    resolved: int | None
    acknowledged: int | None
    type: str
    priority: str
    assets: list[tuple[int, str, str, frozenset[str]]]  # (id, URN, platform, owners)


@pytest.fixture
def history(db: Database, gql: GraphQL, client: Any) -> Database:
    for i, asset in enumerate(URNS):
        ingest(client, ownership(asset, OWNERS[i % 4], OWNERS[(i + 1) % 4]))
    _history(db)
    return db


def _known(db: Database) -> list[Known]:
    with db.session() as session:
        owners: dict[int, set[str]] = {}
        for asset_id, owner in session.execute(
            select(ASSET_OWNERS.c.asset_id, ASSET_OWNERS.c.owner_urn)
        ):
            owners.setdefault(asset_id, set()).add(owner)
        assets = {
            asset_id: (asset_id, urn, platform, frozenset(owners.get(asset_id, ())))
            for asset_id, urn, platform in session.execute(
                select(ASSETS.c.id, ASSETS.c.urn, ASSETS.c.platform)
            )
        }
        on: dict[int, list[Any]] = {}
        for incident_id, asset_id in session.execute(
            select(INCIDENT_ASSETS.c.incident_id, INCIDENT_ASSETS.c.asset_id)
        ):
            on.setdefault(incident_id, []).append(assets[asset_id])
        i = INCIDENTS.c
        rows = session.execute(
            select(
                i.id, i.created_at, i.resolved_at, i.acknowledged_at, i.incident_type, i.priority
            ).where(i.removed.is_(False))
        )
        return [
            Known(c, r, a, t, "NONE" if p is None else NUMBER_TO_PRIORITY[p], on[n])
            for n, c, r, a, t, p in rows
        ]


def _counts(incident: Known, filters: StatsFilters) -> bool:
    if filters.types and incident.type not in filters.types:
        return False
    if filters.priorities and incident.priority not in filters.priorities:
        return False
    return any(
        (not filters.platforms or platform in filters.platforms)
        and (not filters.assets or urn in filters.assets)
        and (not filters.owners or owners & set(filters.owners))
        for _, urn, platform, owners in incident.assets
    )


def _rank(values: list[int]) -> Durations:
    if not values:
        return Durations()
    values.sort()
    median, p90 = (values[max(1, math.ceil(q * len(values))) - 1] for q in (0.5, 0.9))
    return Durations(len(values), median, p90)


def _figures(incidents: Iterable[Known], start: int, end: int) -> Figures:
    them = list(incidents)
    raised = [k for k in them if start <= k.created < end]
    resolved = [k for k in them if k.resolved is not None and start <= k.resolved < end]
    still_open = [k for k in them if k.created < end and (k.resolved is None or k.resolved >= end)]
    acked = [k.acknowledged - k.created for k in raised if k.acknowledged is not None]
    return Figures(
        len(raised),
        len(resolved),
        len(still_open),
        _rank(acked),
        _rank([k.resolved - k.created for k in resolved if k.resolved is not None]),
    )


def _keys(incident: Known, grouping: str) -> set[str]:
    if grouping == "TYPE":
        return {incident.type}
    if grouping == "PRIORITY":
        return {incident.priority}
    if grouping == "PLATFORM":
        return {platform for _, _, platform, _ in incident.assets}
    if grouping == "ASSET":
        return {urn for _, urn, _, _ in incident.assets}
    return {owner for *_, owners in incident.assets for owner in owners}


def _groups(them: list[Known], start: int, end: int, grouping: str) -> dict[str, Figures]:
    keys = {key for k in them for key in _keys(k, grouping)}
    found = {
        key: _figures((k for k in them if key in _keys(k, grouping)), start, end) for key in keys
    }
    return {k: f for k, f in found.items() if f.raised or f.resolved or f.open_at_end}


def _days(them: list[Known], start: int, end: int) -> list[Bucket]:
    days = []
    for day_start in range(start, end, DAY_MS):
        day_end = min(day_start + DAY_MS, end)
        figures = _figures(them, day_start, day_end)
        days.append(
            Bucket(day_start, day_end, figures.raised, figures.resolved, figures.open_at_end)
        )
    return days


def _noisiest(them: list[Known], start: int, end: int) -> list[tuple[str, int]]:
    raised = Counter(
        (asset_id, urn)
        for k in them
        if start <= k.created < end
        for asset_id, urn, _, _ in k.assets
    )
    ranked = sorted(raised.items(), key=lambda item: (-item[1], item[0][0]))
    return [(urn, n) for (_, urn), n in ranked[:NOISIEST]]


FILTERS = [
    StatsFilters(),  # none: the exact figures read through the incidents (stats_groups.py)
    StatsFilters(types=("SQL",)),
    StatsFilters(priorities=("CRITICAL", "LOW")),
    StatsFilters(platforms=("kafka",)),
    StatsFilters(platforms=("kafka", "s3"), priorities=("HIGH",)),
    StatsFilters(owners=(OWNERS[1],), types=("VOLUME", "SQL")),
    StatsFilters(owners=(OWNERS[0], OWNERS[2]), platforms=("hive",)),
    StatsFilters(assets=(URNS[0], URNS[4])),
    StatsFilters(assets=(URNS[1],), owners=(OWNERS[3],)),  # an owner of another asset: nothing
]
PERIODS = [
    (START - 10 * DAY_MS, START + 20 * DAY_MS),
    (START + 30 * DAY_MS + 5 * 3_600_000, END - 40 * DAY_MS),
    (END - 15 * DAY_MS, END + 30 * DAY_MS),
]
GROUPINGS = ["TYPE", "PRIORITY", "PLATFORM", "OWNER", "ASSET"]


@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_filtered_figures_follow_their_definitions(
    history: Database, filters: StatsFilters
) -> None:
    them = [k for k in _known(history) if _counts(k, filters)]
    with history.session() as session:
        for start, end in PERIODS:
            stats = incident_stats(session, start, end, None, "DAY", filters, exact_up_to=EXACT)
            assert stats.totals == _figures(them, start, end)
            assert stats.buckets == _days(them, start, end)
            noisiest = [(asset.urn, asset.raised) for asset in stats.noisiest]
            assert noisiest == _noisiest(them, start, end)
            for grouping in GROUPINGS:
                grouped = incident_stats(
                    session, start, end, grouping, None, filters, exact_up_to=EXACT
                )
                assert grouped.groups == _groups(them, start, end, grouping), grouping
            on_assets = ("PLATFORM", "OWNER")
            expected = {g: _groups(them, start, end, g) for g in on_assets}
            assert incident_groups(session, start, end, on_assets, filters, EXACT) == expected
            # The Insights page's one read, exact whether or not the rollups tell its totals.
            for exact_up_to in (EXACT, 0) if filters.narrowed else (EXACT,):
                page, groups = page_figures(
                    session, start, end, "DAY", filters, on_assets, exact_up_to
                )
                assert page.totals == stats.totals, exact_up_to
                assert (page.buckets, page.noisiest) == (stats.buckets, stats.noisiest)
                assert groups == expected, exact_up_to
    nothing_meets_them = filters == StatsFilters(assets=(URNS[1],), owners=(OWNERS[3],))
    assert bool(them) != nothing_meets_them
