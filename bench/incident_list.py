"""The Incidents page's questions over a large history: how long a page of incidents with its
facets, and each grouping, take with 100,000 incidents.

The history is bench/insights.py's (written straight into the tables), with one assignee (of
30 people) on 6 in 10 incidents. Each question is asked `--runs` times through the services the
page calls, in one process, and its median and p99 are printed.

    .venv/bin/python bench/incident_list.py [--incidents N] [--runs N] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from catalog_seed import _analyze, _write
from insights import database, seed
from pgdb import add_postgres_option
from sqlalchemy.orm import Session

from dataflare.catalog.search_filters import Criterion
from dataflare.db.database import Database, make_engine
from dataflare.incidents.groups import group_incidents
from dataflare.incidents.search import search_incidents

GOAL_MS = 500  # p99 of every question
PAGE = 25
ACTIVE = Criterion("state", ("ACTIVE",))


def _assignees(count: int) -> Iterator[tuple[Any, ...]]:
    for n in range(1, count + 1):
        if n % 10 < 6:
            yield (n, f"urn:li:corpuser:person{n % 30}", 0)


def _page(*criteria: Criterion, query: str = "*", sort: Any = None) -> Callable[[Session], Any]:
    groups = [list(criteria)] if criteria else []
    return lambda s: search_incidents(s, query, groups, 0, PAGE, sort)


def _grouped(by: str, *criteria: Criterion) -> Callable[[Session], Any]:
    groups = [list(criteria)] if criteria else []
    return lambda s: group_incidents(s, "*", groups, by)


QUESTIONS: dict[str, Callable[[Session], Any]] = {
    "active, newest first, with facets": _page(ACTIVE),
    "all, newest first, with facets": _page(),
    "all, most urgent first": _page(sort=("priority", "ASCENDING")),
    "CRITICAL on snowflake": _page(
        Criterion("priority", ("CRITICAL",)), Criterion("platform", ("snowflake",))
    ),
    "assigned to person7 (mine)": _page(Criterion("assignees", ("urn:li:corpuser:person7",))),
    "on assets owner3 owns": _page(Criterion("owners", ("urn:li:corpuser:owner3",))),
    "text 'incident 4242'": _page(query="incident 4242"),
    "active grouped by asset": _grouped("asset", ACTIVE),
    "active grouped by owner": _grouped("owner", ACTIVE),
    "all grouped by type": _grouped("type"),
    "all grouped by assignee": _grouped("assignee"),
}


def measure(url: str, runs: int) -> dict[str, tuple[float, float]]:
    db = Database(url)
    found = {}
    try:
        for name, question in QUESTIONS.items():
            times = []
            for _ in range(runs):
                with db.session() as session:
                    began = time.perf_counter()
                    question(session)
                    times.append((time.perf_counter() - began) * 1000)
            p99 = sorted(times)[max(0, math.ceil(0.99 * len(times)) - 1)]
            found[name] = (statistics.median(times), p99)
    finally:
        db.dispose()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    add_postgres_option(parser)
    args = parser.parse_args()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    with database(args.postgres) as url:
        seed(url, args.incidents)
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                raw = connection.connection.driver_connection
                columns = ("incident_id", "assignee_urn", "position")
                _write(raw, "incident_assignees", columns, _assignees(args.incidents))
            _analyze(engine)
        finally:
            engine.dispose()
        results = measure(url, args.runs)
    print(f"{backend}, {args.incidents:,} incidents")
    print(f"{'question':40} {'median ms':>10} {'p99 ms':>8}  goal p99 < {GOAL_MS}")
    for name, (median, p99) in results.items():
        verdict = "met" if p99 < GOAL_MS else "MISSED"
        print(f"{name:40} {median:>10.0f} {p99:>8.0f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
