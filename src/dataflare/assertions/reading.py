"""What people see of assertions (the web UI): a check with its newest runs, an asset's checks
failing first, and the failing checks behind an asset's health, named. Each reads in batches:
a fixed number of statements however many assets or assertions it shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dataflare.assertions import queries
from dataflare.assertions.health import AssertionHealth, health_by_urn
from dataflare.assertions.info import fields_of
from dataflare.assertions.queries import AssertionView, RaisedIncident, RunFilter
from dataflare.assertions.words import (
    RESULT_WORDS,
    RunWords,
    facts,
    name_of,
    run_words,
)
from dataflare.db.chunks import chunks

MAX_NAMED = 5  # failing checks named in a health popover
MAX_ON_ASSET = 200  # checks listed on an asset's Assertions tab
RUNS_ON_INCIDENT = 10
RUNS_ON_PAGE = 50
INCIDENTS_ON_PAGE = 20


@dataclass(frozen=True)
class Check:
    """One assertion as a page shows it."""

    urn: str
    known: bool  # ingested (else only named, e.g. by an incident's source)
    name: str
    kind: str | None
    facts: list[tuple[str, str]]
    columns: list[str]
    asset_urn: str | None
    asset_name: str | None
    platform: str | None
    removed: bool
    last_result: str | None
    last_word: str
    last_run_at: int | None


def _check(view: AssertionView) -> Check:
    info = view.info or {}
    return Check(
        view.urn,
        view.id is not None,
        name_of(view.urn, view.assertion_type, info),
        view.assertion_type,
        facts(view.assertion_type, info),
        fields_of(info),
        view.asset_urn,
        view.asset_name,
        view.platform,
        view.removed,
        view.last_result,
        RESULT_WORDS.get(view.last_result or "", "Never run"),
        view.last_run_at,
    )


@dataclass(frozen=True)
class CheckWithRuns:
    check: Check
    runs: list[RunWords]
    incidents: list[RaisedIncident]
    asset_id: int | None


def with_runs(session: Session, urn: str, runs: int, incidents: int = 0) -> CheckWithRuns | None:
    """The assertion, its `runs` newest runs and `incidents` newest incidents; None when it was
    never ingested."""
    connection = session.connection()
    view = queries.by_urns(connection, [urn]).get(urn)
    if view is None or view.id is None:
        return None
    found = queries.runs_of(connection, [view.id], RunFilter(None, None, None, runs))
    said = [
        run_words(r.timestamp_ms, r.run_id, r.result_type, r.event) for r in found.get(view.id, [])
    ]
    raised: list[RaisedIncident] = []
    asset_id = view.asset_id
    if incidents and asset_id is not None:
        raised = queries.incidents_raised(connection, asset_id, urn, incidents)
    return CheckWithRuns(_check(view), said, raised, asset_id)


def on_asset(session: Session, asset_id: int) -> tuple[list[Check], int]:
    """The asset's assertions, failing first, then erroring, passing, never run (newest run
    first within each), at most MAX_ON_ASSET; and how many there are."""
    views, total = queries.listed_on_asset(session.connection(), asset_id, MAX_ON_ASSET)
    return [_check(v) for v in views], total


@dataclass(frozen=True)
class Named:
    urn: str
    name: str


@dataclass(frozen=True)
class CheckHealth:
    """An asset's ASSERTIONS health, with its failing (or erroring) checks named."""

    status: str  # FAIL, WARN, PASS
    message: str
    named: list[Named]  # at most MAX_NAMED
    more: int  # failing checks not named


def check_health(session: Session, asset_urns: Sequence[str]) -> dict[str, CheckHealth]:
    """The assertion health of these assets, by URN (left out: no assertion with a result), in
    two statements: the health, then the names of the checks it blames."""
    if not asset_urns:
        return {}
    found: dict[str, AssertionHealth] = {}
    for part in chunks(list(dict.fromkeys(asset_urns))):
        for urn, both in health_by_urn(session, part).items():
            if both.assertions is not None:
                found[urn] = both.assertions
    blamed = sorted({c for h in found.values() for c in sorted(h.causes)[:MAX_NAMED]})
    views: dict[str, AssertionView] = {}
    for part in chunks(blamed):
        views.update(queries.by_urns(session.connection(), part))
    said = {}
    for urn, checked in found.items():
        causes = sorted(checked.causes)
        named = [
            Named(c, name_of(c, views[c].assertion_type, views[c].info) if c in views else c)
            for c in causes[:MAX_NAMED]
        ]
        said[urn] = CheckHealth(checked.status, checked.message, named, len(causes) - len(named))
    return said
