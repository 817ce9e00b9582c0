"""Figures read from the rollups against the exact ones, on the same history (both databases):
every count is equal, and every median and p90 is within rollups.RELATIVE_ERROR of the exact
one and says it is not exact. The history: 400 incidents over 100 days on assets of three
platforms and four owners (some on two assets), acknowledged, resolved and reopened after
durations from seconds to weeks, some removed."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dataflare.core.clock import AS_OF, now_ms
from dataflare.core.errors import Conflict
from dataflare.db.database import Database
from dataflare.graphql.schema import LONG_MAX, LONG_MIN
from dataflare.incidents import removal, rollups, service
from dataflare.incidents.stats import DAY_MS, incident_groups, incident_stats
from dataflare.incidents.stats_values import Durations, Figures, Stats, StatsFilters
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import dataset, ingest, ownership

ACTOR = "urn:li:corpuser:datahub"
ASSETS = [dataset(platform, f"t{i}") for i in range(4) for platform in ("hive", "kafka", "s3")]
OWNERS = [f"urn:li:corpuser:owner{i}" for i in range(4)]
START = 1_767_225_600_000 - 100 * DAY_MS  # 100 days before 2026-01-01
END = START + 100 * DAY_MS
EXACT, ROLLED = 10**9, 0  # exact_up_to: always exact; from the rollups whenever they can


def _history(db: Database) -> None:
    rng = random.Random(20261203)
    changes: list[tuple[int, Any]] = []
    for n in range(400):
        created = START + rng.randrange(100 * DAY_MS) - 3 * DAY_MS  # a few from before
        request = service.RaiseRequest(
            type=rng.choice(["FRESHNESS", "VOLUME", "SQL"]),
            resource_urns=rng.sample(ASSETS, 2 if n % 7 == 0 else 1),
            priority=rng.choice(["CRITICAL", "HIGH", "LOW", None]),
        )
        with db.session(write=True) as session:
            session.info[AS_OF] = created
            urn = service.raise_incident(session, ACTOR, request)
        took = int(rng.lognormvariate(15, 2))  # seconds to weeks, in ms
        if rng.random() < 0.6:
            acknowledged = created + min(took // 3, took)
            changes.append((acknowledged, ("assign", urn)))
        if rng.random() < 0.85:
            changes.append((created + took, ("resolve", urn)))
            if rng.random() < 0.1:
                changes.append((created + took + DAY_MS, ("reopen", urn)))
        if rng.random() < 0.03:
            changes.append((created + 1, ("remove", urn)))
    for at, (kind, urn) in sorted(changes):

        def change(session: Session, kind: str = kind, urn: str = urn) -> None:
            if kind == "assign":
                service.update_incident(session, ACTOR, urn, {"assignee_urns": [OWNERS[0]]})
            elif kind == "remove":
                removal.set_removed(session, ACTOR, urn, True)
            else:
                state = "RESOLVED" if kind == "resolve" else "ACTIVE"
                service.update_status(session, ACTOR, urn, state)

        try:
            with db.session(write=True) as session:
                session.info[AS_OF] = at
                change(session)
        except Conflict:  # a change to an incident removed before it
            pass


@pytest.fixture
def history(db: Database, gql: GraphQL, client: Any) -> Database:
    for i, asset in enumerate(ASSETS):
        ingest(client, ownership(asset, OWNERS[i % 4], OWNERS[(i + 1) % 4]))
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ASSETS[0]}})  # now: after the end
    _history(db)
    return db


def _close(rolled: Durations, exact: Durations) -> None:
    assert rolled.count == exact.count
    if not exact.count:
        assert rolled == exact
        return
    assert not rolled.exact and exact.exact
    for got, wanted in ((rolled.median, exact.median), (rolled.p90, exact.p90)):
        assert got is not None and wanted is not None
        assert abs(got - wanted) <= rollups.RELATIVE_ERROR * wanted + 1, (got, wanted)


def _same(rolled: Figures, exact: Figures) -> None:
    counts = (exact.raised, exact.resolved, exact.open_at_end)
    assert (rolled.raised, rolled.resolved, rolled.open_at_end) == counts
    _close(rolled.time_to_acknowledge, exact.time_to_acknowledge)
    _close(rolled.time_to_resolve, exact.time_to_resolve)


def _compare(rolled: Stats, exact: Stats) -> None:
    _same(rolled.totals, exact.totals)
    assert rolled.groups.keys() == exact.groups.keys()
    for key, figures in exact.groups.items():
        _same(rolled.groups[key], figures)
    assert rolled.buckets == exact.buckets
    assert rolled.noisiest == exact.noisiest


PERIODS = {
    "100 days": (START, END),
    "30 days": (END - 30 * DAY_MS, END),
    "from and to within days": (START + 5 * 3_600_000, END - 7 * 3_600_000),
    "ending in the future": (END - 20 * DAY_MS, END + 400 * DAY_MS),
}
FILTERS = [
    StatsFilters(),
    StatsFilters(types=("SQL", "VOLUME")),
    StatsFilters(priorities=("CRITICAL", "LOW")),
    StatsFilters(types=("SQL",), priorities=("HIGH", "LOW")),
    StatsFilters(platforms=("kafka",)),
    StatsFilters(owners=(OWNERS[1],)),
]
GROUPINGS: list[str | None] = ["TYPE", "PRIORITY", "PLATFORM", "OWNER", None]


def _groupings(filters: StatsFilters) -> list[str | None]:
    """What the rollups answer for these filters (incidents/stats_rollups.plan_of)."""
    if filters.owners or filters.platforms:
        return [None]
    if filters.types or filters.priorities:
        return ["TYPE", "PRIORITY", None]
    return GROUPINGS


def test_figures_from_the_rollups_match_the_exact_ones(history: Database) -> None:
    for start, end in PERIODS.values():
        _compare_period(history, start, end)


def _compare_period(history: Database, start: int, end: int) -> None:
    with history.session() as session:
        for filters in FILTERS:
            for group_by in _groupings(filters):
                interval = "WEEK" if start % DAY_MS == 0 else None
                asked = (start, end, group_by, interval, filters)
                rolled = incident_stats(session, *asked, exact_up_to=ROLLED)
                exact = incident_stats(session, *asked, exact_up_to=EXACT)
                assert rolled.totals.time_to_resolve.exact is False
                _compare(rolled, exact)
            if "OWNER" in _groupings(filters):
                both = ("PLATFORM", "OWNER")
                rolled_groups = incident_groups(session, start, end, both, filters, ROLLED)
                exact_groups = incident_groups(session, start, end, both, filters, EXACT)
                for grouping in both:
                    assert rolled_groups[grouping].keys() == exact_groups[grouping].keys()
                    for key, figures in exact_groups[grouping].items():
                        _same(rolled_groups[grouping][key], figures)


def test_questions_the_rollups_cannot_tell_are_answered_exactly(history: Database) -> None:
    """Each incident is counted once only where its group is one cell: two platforms or owners
    (an incident may be on both), a platform or owner with anything else or grouped, a type or
    priority grouped by platform or owner, an asset, and grouping by asset are exact."""
    with history.session() as session:
        for filters, group_by in [
            (StatsFilters(platforms=("kafka", "s3")), None),
            (StatsFilters(owners=(OWNERS[0], OWNERS[1])), None),
            (StatsFilters(owners=(OWNERS[0],), types=("SQL",)), None),
            (StatsFilters(platforms=("kafka",), priorities=("CRITICAL",)), None),
            (StatsFilters(owners=(OWNERS[0],)), "TYPE"),
            (StatsFilters(platforms=("kafka",)), "PLATFORM"),
            (StatsFilters(types=("SQL",)), "OWNER"),
            (StatsFilters(assets=(ASSETS[0],)), None),
            (StatsFilters(), "ASSET"),
        ]:
            rolled = incident_stats(session, START, END, group_by, None, filters, exact_up_to=0)
            assert rolled.totals.time_to_resolve.exact, (filters, group_by)
            exact = incident_stats(session, START, END, group_by, None, filters)
            assert rolled == exact


def test_the_rollups_answer_only_above_the_limit(history: Database) -> None:
    with history.session() as session:
        totals = incident_stats(session, START, END).totals
        moving = totals.raised + totals.resolved  # the period is whole days: no edges
        assert incident_stats(session, START, END, exact_up_to=moving).totals.time_to_resolve.exact
        rolled = incident_stats(session, START, END, exact_up_to=moving - 1)
        assert not rolled.totals.time_to_resolve.exact
        day = incident_stats(session, END - DAY_MS + 1, END, exact_up_to=0)  # no whole day
        assert day.totals.time_to_resolve.exact


WIDEST = [(0, LONG_MAX), (LONG_MIN, 0), (LONG_MIN, LONG_MAX), (-DAY_MS, 3 * DAY_MS + 5)]


@pytest.mark.parametrize(("start", "end"), WIDEST)
def test_the_widest_periods_the_api_takes_read_the_rollups_as_the_incidents(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch, start: int, end: int
) -> None:
    """From and to may be any Long: days beyond the ones incidents can have hold no cell, and
    PostgreSQL's day column is never asked about them (it would refuse the number)."""
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ASSETS[0]}})
    gql.data(RAISE, {"input": {"type": "VOLUME", "resourceUrn": ASSETS[1], "priority": "LOW"}})
    document = """query ($input: IncidentStatsInput!) { incidentStats(input: $input) {
      totals { raised openAtEnd timeToResolve { exact } } groups { key figures { raised } } } }"""
    asked = {"input": {"from": start, "to": end, "groupBy": "PLATFORM"}}
    exact = gql.data(document, asked)["incidentStats"]
    monkeypatch.setenv("DATAFLARE_FIGURES_EXACT_UP_TO", "0")  # the rollups wherever they can
    rolled = gql.data(document, asked)["incidentStats"]
    assert rolled == exact
    now_in_it = start <= now_ms() < end  # the two raises were made just now
    assert rolled["totals"]["raised"] == (2 if now_in_it else 0)
