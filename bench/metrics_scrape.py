"""What a Prometheus scrape costs the database: the gauges read at scrape time (active
incidents by priority and platform, the notification backlog), timed on a catalog grown to
1,000,000 assets with 1,000,000 incidents (catalog_seed.py: about 10% of them active, most on
one hot dataset; the rest resolved).

    .venv/bin/python bench/metrics_scrape.py [--sizes 100000 1000000] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from catalog_data import Catalog
from catalog_seed import Seeder
from pgdb import DatabaseSetupError, add_postgres_option, temporary_database
from sqlalchemy import func, select

from dataflare.db.database import Database
from dataflare.db.migrate import upgrade
from dataflare.incidents.models import INCIDENTS
from dataflare.monitoring.collector import DatabaseCollector

RUNS = 7


def scrape_ms(collector: DatabaseCollector) -> float:
    started = time.perf_counter()
    for _ in collector.collect():
        pass
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    add_postgres_option(parser)
    args = parser.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'dataflare.db'}"
        if args.postgres:
            try:
                url = stack.enter_context(temporary_database(args.postgres))
            except DatabaseSetupError as error:
                print(f"Error: {error}", file=sys.stderr)
                return 1
        upgrade(url)
        catalog, seeder = Catalog(), Seeder(url)
        print("| incidents | active | scrape, median of 7 (ms) | slowest (ms) |")
        print("|---:|---:|---:|---:|")
        for size in args.sizes:
            print(f"  seeding {size:,} ...", file=sys.stderr, flush=True)
            seeder.grow(catalog, size)
            database = Database(url)
            try:
                with database.session() as session:
                    total = session.scalar(select(func.count()).select_from(INCIDENTS))
                    active = session.scalar(
                        select(func.count()).where(INCIDENTS.c.state == "ACTIVE")
                    )
                collector = DatabaseCollector(database)
                scrape_ms(collector)  # warm
                times = [scrape_ms(collector) for _ in range(RUNS)]
            finally:
                database.dispose()
            print(f"| {total:,} | {active:,} | {statistics.median(times):.1f} | {max(times):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
