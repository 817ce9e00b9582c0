"""Incident figures (incidentStats) over a large history: how long the questions the Insights
page and the API ask take with 1,000,000 incidents.

The history is written straight into Dataflare's tables (SQLite `executemany`, PostgreSQL
`COPY`), as raising and resolving them would leave them: 2 years of incidents on 2,000 assets
over 8 platforms with 40 owners, a power law over the assets (a few noisy ones), 1 in 10 on two
assets, 95% resolved after a log-normal time (minutes to weeks), 1 in 20 reopened once, 60%
acknowledged. The figures' rollups are then counted from them, as migration 0023 does for a
history it finds. Then each question is asked `--runs` times through the service in one process
(what the GraphQL resolver calls), after one unmeasured ask, and its median and p99 are
printed. Above 10,000 incidents
raised or resolved in a period, the answers come from the rollups where they can
(incidents/stats_rollups.py); filtered questions they cannot tell are read from the incidents'
links (incidents/stats_filtered.py).

    .venv/bin/python bench/insights.py [--incidents N] [--runs N] [--postgres [URL]]
    .venv/bin/python bench/insights.py --database URL   # ask a history kept from `seed`
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from catalog_seed import _analyze, _write
from cpu import reference_ms
from pgdb import add_postgres_option, temporary_database
from sqlalchemy.orm import Session

from dataflare.db.database import Database, make_engine
from dataflare.db.migrate import alembic_config
from dataflare.incidents.rollups_rebuild import rebuild
from dataflare.incidents.stats import (
    DAY_MS,
    PARTS,
    incident_stats,
    page_figures,
)
from dataflare.incidents.stats_values import StatsFilters

GOAL_MS = 500  # p99 of every question
NOW = 1_767_225_600_000  # 2026-01-01: the history ends here
SPAN_DAYS = 730
PLATFORMS = ("kafka", "snowflake", "postgres", "s3", "dbt", "airflow", "looker", "tableau")
TYPES = ("FRESHNESS", "VOLUME", "FIELD", "SQL", "DATA_SCHEMA", "OPERATIONAL")
ASSETS = 2_000
OWNERS = 40
CHUNK = 50_000

INCIDENT_COLUMNS = (
    "id", "urn", "incident_type", "title", "state", "status_updated_at", "status_updated_by",
    "priority", "source_type", "started_at", "created_at", "created_by", "updated_at",
    "acknowledged_at", "resolved_at", "reopen_count",
)  # fmt: skip
LINK_COLUMNS = (
    "incident_id", "asset_id", "position", "state", "created_at",
    "incident_type", "priority", "resolved_at", "acknowledged_at",
)  # fmt: skip


def _assets() -> Iterator[tuple[Any, ...]]:
    for n in range(1, ASSETS + 1):
        platform = PLATFORMS[n % len(PLATFORMS)]
        urn = f"urn:li:dataset:(urn:li:dataPlatform:{platform},bench.t{n},PROD)"
        yield (n, urn, "dataset", platform, f"t{n}", None, False, NOW)


def _owners() -> Iterator[tuple[Any, ...]]:
    for n in range(1, ASSETS + 1):
        yield (n, f"urn:li:corpuser:owner{n % OWNERS}", "TECHNICAL_OWNER", 0)


def _history(count: int, seed: int = 7) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """(incident row, its link rows), oldest first."""
    rng = random.Random(seed)
    start = NOW - SPAN_DAYS * DAY_MS
    for n in range(1, count + 1):
        created = start + int((n / count) * SPAN_DAYS * DAY_MS) - rng.randrange(60_000)
        resolved = reopened = acknowledged = None
        if rng.random() < 0.95:
            resolved = created + int(math.exp(rng.gauss(11.5, 1.6)) * 1000 / 60)  # ~min..weeks
            reopened = 1 if rng.random() < 0.05 else 0
        if rng.random() < 0.6:
            acknowledged = created + int(math.exp(rng.gauss(9, 1.2)) * 1000 / 60)
            if resolved is not None:
                acknowledged = min(acknowledged, resolved)
        state = "RESOLVED" if resolved is not None and resolved < NOW else "ACTIVE"
        if state == "ACTIVE":
            resolved = None
        asset = int(ASSETS * rng.random() ** 3) + 1  # a few noisy assets
        kind, priority = TYPES[n % len(TYPES)], rng.choice((0, 1, 2, 3, None))
        row = (
            n, f"urn:li:incident:bench-{n}", kind, f"incident {n}", state,
            resolved or created, "urn:li:corpuser:bench", priority,
            "MANUAL", created, created, "urn:li:corpuser:bench", resolved or created,
            acknowledged, resolved, reopened or 0,
        )  # fmt: skip
        copied = (state, created, kind, priority, resolved, acknowledged)
        links = [(n, asset, 0, *copied)]
        if n % 10 == 0:
            links.append((n, (asset % ASSETS) + 1, 1, *copied))
        yield row, links


def seed(url: str, count: int) -> float:
    """Migrate an empty database and write the history; the seconds it took."""
    began = time.perf_counter()
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            raw = connection.connection.driver_connection
            _write(raw, "assets", ("id", "urn", "kind", "platform", "name", "description",
                                   "removed", "created_at"), _assets())  # fmt: skip
            _write(raw, "asset_owners", ("asset_id", "owner_urn", "type", "position"), _owners())
            history = _history(count)
            while True:
                rows, links = [], []
                for row, its_links in history:
                    rows.append(row)
                    links += its_links
                    if len(rows) == CHUNK:
                        break
                if not rows:
                    break
                _write(raw, "incidents", INCIDENT_COLUMNS, rows)
                _write(raw, "incident_assets", LINK_COLUMNS, links)
                print(f"  {rows[-1][0]:,} incidents", end="\r", file=sys.stderr)
        rolled = time.perf_counter()
        with engine.begin() as connection:
            rebuild(connection)  # as migration 0023 does for a history it finds
        print(f"  rollups built in {time.perf_counter() - rolled:.0f} s", file=sys.stderr)
        _analyze(engine)
    finally:
        engine.dispose()
    return time.perf_counter() - began


# The Insights page's read (web/insights.py): totals, days and noisiest assets, and the groups by
# platform and by owner.
PAGE = [{"page": ("PLATFORM", "OWNER")}]
QUESTIONS: dict[str, dict[str, Any]] = {
    "Insights page, last 7 days, all charts": {"days": 7, "reads": PAGE},
    "Insights page, last 30 days, all charts": {"days": 30, "reads": PAGE},
    "last 30 days, per day": {"days": 30, "interval": "DAY"},
    "last 90 days by platform": {"days": 90, "group_by": "PLATFORM"},
    "last 365 days by owner, per week": {"days": 365, "group_by": "OWNER", "interval": "WEEK"},
    "all 2 years, totals": {"days": SPAN_DAYS},
    "all 2 years, CRITICAL on snowflake": {
        "days": SPAN_DAYS,
        "filters": StatsFilters(platforms=("snowflake",), priorities=("CRITICAL",)),
    },
    "all 2 years, CRITICAL and HIGH, by type": {
        "days": SPAN_DAYS,
        "group_by": "TYPE",
        "filters": StatsFilters(priorities=("CRITICAL", "HIGH")),
    },
    "Insights page, last 365 days, HIGH only": {
        "days": 365,
        "reads": PAGE,
        "filters": StatsFilters(priorities=("HIGH",)),
    },
    "Insights page, last 90 days, on snowflake": {
        "days": 90,
        "reads": PAGE,
        "filters": StatsFilters(platforms=("snowflake",)),
    },
}


def ask(session: Session, question: dict[str, Any]) -> int:
    """Make the question's reads; the incidents raised in its period."""
    start, filters, raised = NOW - question["days"] * DAY_MS, question.get("filters"), 0
    for read in question.get("reads", [question]):
        if "page" in read:
            stats, _ = page_figures(
                session, start, NOW, "DAY", filters or StatsFilters(), read["page"]
            )
            raised = max(raised, stats.totals.raised)
            continue
        stats = incident_stats(
            session,
            start,
            NOW,
            read.get("group_by"),
            read.get("interval"),
            filters or StatsFilters(),
            read.get("parts", PARTS),
        )
        raised = max(raised, stats.totals.raised)
    return raised


def measure(url: str, runs: int) -> dict[str, tuple[float, float, int]]:
    """Question -> (median ms, p99 ms, incidents raised in its period)."""
    db = Database(url)
    found = {}
    try:
        for name, question in QUESTIONS.items():
            with db.session() as session:
                ask(session, question)  # unmeasured: the first read of a run pays cold caches
            times, raised = [], 0
            for _ in range(runs):
                with db.session() as session:
                    began = time.perf_counter()
                    raised = ask(session, question)
                    times.append((time.perf_counter() - began) * 1000)
            p99 = sorted(times)[max(0, math.ceil(0.99 * len(times)) - 1)]
            found[name] = (statistics.median(times), p99, raised)
    finally:
        db.dispose()
    return found


@contextmanager
def database(postgres: str | None) -> Iterator[str]:
    if postgres:
        with temporary_database(postgres) as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'insights.db'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    add_postgres_option(parser)
    parser.add_argument(
        "--database",
        metavar="URL",
        help="ask a history written before (by this script) instead of writing one",
    )
    args = parser.parse_args()
    backend = "PostgreSQL" if (args.database or "").startswith("postgresql") else "SQLite"
    if args.database:
        results = measure(args.database, args.runs)
    else:
        backend = "PostgreSQL" if args.postgres else "SQLite"
        with database(args.postgres) as url:
            print(f"{backend}: writing {args.incidents:,} incidents ...", file=sys.stderr)
            seconds = seed(url, args.incidents)
            print(f"{backend}: {args.incidents:,} incidents written in {seconds:.0f} s")
            results = measure(url, args.runs)
    print(f"machine: reference work {reference_ms():.0f} ms (bench/cpu.py; lower is faster)")
    print(f"{'question':45} {'raised':>9} {'median ms':>10} {'p99 ms':>8}  goal p99 < {GOAL_MS}")
    met = True
    for name, (median, p99, raised) in results.items():
        verdict = "met" if p99 < GOAL_MS else "MISSED"
        met &= p99 < GOAL_MS
        print(f"{name:45} {raised:>9,} {median:>10.0f} {p99:>8.0f}  {verdict}")
    print("goal met" if met else "goal missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
