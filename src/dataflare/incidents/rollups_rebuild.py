"""Counting the figures' rollups (incidents/rollups.py) again from the incidents: the command
that migrates does it for a history migration 0023 found (`fill_if_missing`), and `dataflare db
rebuild-figures` on request (`rebuild`)."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from sqlalchemy import Connection, delete, false, select, text

from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENT_ROLLUPS, INCIDENTS
from dataflare.incidents.rollups import CELL_KEY, Cell, add, asset_keys, facts_query, gathered

FLUSH_CELLS = 2_000_000  # a rebuild hands over what it counted each time it holds this many
log = logging.getLogger("dataflare.incidents")

_COUNTED = "rollup_counts"  # a rebuild's counts, summed into the rollups at its end
_COUNTED_TYPES = "(dimension text, group_key text, span_days int, first_day int, measure int, "
_COUNTED_TYPES += "bucket int, n bigint)"  # a Cell's order, then n


def rebuild(connection: Connection) -> int:
    """Count every cell again from the incidents (a migration fills the table so, and
    `dataflare db rebuild-figures` repairs it); how many incidents were counted.

    The counts are summed in memory a few million cells at a time, handed to a temporary table
    the quickest way each database takes rows (PostgreSQL's COPY, SQLite's executemany of
    plain inserts), and summed into the rollups by one statement at the end, in key order:
    PostgreSQL's table then holds a question's cells side by side (a 2-year total read 17,000
    cells from 16,800 pages when they came in any order)."""
    postgres = connection.dialect.name == "postgresql"
    suffix = " ON COMMIT DROP" if postgres else ""
    connection.execute(text(f"CREATE TEMPORARY TABLE {_COUNTED} {_COUNTED_TYPES}{suffix}"))
    connection.execute(delete(INCIDENT_ROLLUPS))
    linked = select(INCIDENT_ASSETS.c.asset_id).distinct()
    assets = asset_keys(connection, [i for (i,) in connection.execute(linked)])
    rows = connection.execute(facts_query().execution_options(yield_per=10_000))
    cells: Counter[Cell] = Counter()
    counted = 0
    for facts in gathered(rows):
        add(cells, facts, assets, +1)
        counted += 1
        if len(cells) >= FLUSH_CELLS:
            _hand_over(connection, cells)
            cells.clear()
            log.info("incident figures: %d incidents counted", counted)
    _hand_over(connection, cells)
    key = ", ".join(CELL_KEY)
    connection.execute(
        text(
            f"INSERT INTO incident_rollups ({key}, n) SELECT {key}, sum(n) FROM {_COUNTED} "
            f"GROUP BY {key} HAVING sum(n) <> 0 ORDER BY {key}"
        )
    )
    if postgres:  # plans for the new cells from the first read
        connection.execute(text("ANALYZE incident_rollups"))
    else:
        connection.execute(text(f"DROP TABLE {_COUNTED}"))
    return counted


def fill_if_missing(connection: Connection) -> int:
    """Count the rollups when they are empty and incidents are not (as migration 0023 leaves
    them); how many incidents were counted (0: nothing to do)."""
    empty = connection.execute(select(INCIDENT_ROLLUPS.c.n).limit(1)).first() is None
    counted = select(INCIDENTS.c.id).where(INCIDENTS.c.removed.is_(false())).limit(1)
    if not empty or connection.execute(counted).first() is None:
        return 0
    return rebuild(connection)


def _hand_over(connection: Connection, cells: Counter[Cell]) -> None:
    raw: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor().copy(f"COPY {_COUNTED} FROM STDIN") as copy:
            for cell, n in cells.items():
                copy.write_row((*cell, n))
        return
    raw.executemany(
        f"INSERT INTO {_COUNTED} VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*cell, n) for cell, n in cells.items()],
    )
