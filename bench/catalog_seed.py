"""The catalog benchmark's bulk path: grows the database straight to a size with set-based
inserts (SQLite `executemany`, PostgreSQL `COPY`) into Dataflare's own tables, so that a
catalog of 1,000,000 assets takes minutes rather than the hours ingestion would.

What it writes is what ingestion and raiseIncident would: assets (their text indexed by the
database as on any insert), owners, lineage edges, the people named; incidents with their
asset links, each asset's active-incident summary, and the search counts, recomputed as
migrations 0006 and 0011 backfill them. At each size the incidents grow to one per asset: a
tenth on one "hot" dataset, the rest a long tail (a power law over the assets, oldest first),
active on the hot dataset (9 in 10) and on 1% of the assets, resolved elsewhere.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog_data import GROUPS, USERS, Catalog, owner_urn
from sqlalchemy import Engine, text

from dataflare.core.urns import parse_asset
from dataflare.db.database import make_engine

HOT_SHARE = 10  # 1 incident in 10 is on the hot dataset
BROKEN_SHARE = 100  # 1 asset in 100 has an active incident
START_MS = 1_764_000_000_000
BACKFILL = [
    "DELETE FROM incident_owner_counts",
    "DELETE FROM incident_kind_counts",
    "DELETE FROM visible_owner_counts",
    "DELETE FROM visible_kind_counts",
    """INSERT INTO visible_owner_counts (owner_urn, kind, platform, assets)
    SELECT o.owner_urn, a.kind, a.platform, count(*) FROM asset_owners o
    JOIN assets a ON a.id = o.asset_id WHERE NOT a.removed
    GROUP BY o.owner_urn, a.kind, a.platform""",
    """INSERT INTO visible_kind_counts (kind, platform, assets)
    SELECT kind, platform, count(*) FROM assets WHERE NOT removed GROUP BY kind, platform""",
    """INSERT INTO incident_owner_counts (owner_urn, kind, platform, assets)
    SELECT o.owner_urn, a.kind, a.platform, count(*) FROM asset_owners o
    JOIN assets a ON a.id = o.asset_id
    WHERE a.active_incidents > 0 AND NOT a.removed GROUP BY o.owner_urn, a.kind, a.platform""",
    """INSERT INTO incident_kind_counts (kind, platform, assets)
    SELECT kind, platform, count(*) FROM assets WHERE active_incidents > 0 AND NOT removed
    GROUP BY kind, platform""",
]
ASSET_COLUMNS = ("id", "urn", "kind", "platform", "name", "description", "removed", "created_at")
INCIDENT_COLUMNS = (
    "id",
    "urn",
    "incident_type",
    "title",
    "description",
    "state",
    "status_updated_at",
    "status_updated_by",
    "source_type",
    "started_at",
    "created_at",
    "created_by",
    "updated_at",
)
LINK_COLUMNS = ("incident_id", "asset_id", "position", "state", "created_at", "incident_type")


@dataclass
class Summary:
    """An asset's incidents as its row sums them up."""

    active: int = 0
    total: int = 0
    latest_active: int | None = None
    changed_at: int = 0


@dataclass
class Seeded:
    size: int
    assets: int
    edges: int
    incidents: int
    seconds: float


@dataclass
class Seeder:
    """Grows one database; remembers what it wrote, for the benchmark's expected totals."""

    url: str
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    ids: dict[str, int] = field(default_factory=dict)  # urn -> asset id, in insertion order
    urns: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    platforms: Counter[str] = field(default_factory=Counter)
    owned: Counter[str] = field(default_factory=Counter)
    broken: set[str] = field(default_factory=set)  # assets with an active incident
    summaries: dict[int, Summary] = field(default_factory=dict)
    incidents: int = 0
    hot_urn: str = ""

    def grow(self, catalog: Catalog, size: int) -> Seeded:
        started = time.perf_counter()
        for _ in catalog.grow((size - catalog.size) // 100):
            pass  # the proposals are not sent: only the records are written
        records = catalog.take_records()
        engine = make_engine(self.url)
        try:
            with engine.begin() as connection:
                raw = connection.connection.driver_connection
                assets, owners, edges = self._catalog_rows(records)
                _write(raw, "assets", ASSET_COLUMNS, assets)
                _write(raw, "asset_owners", ("asset_id", "owner_urn", "type", "position"), owners)
                _write(
                    raw,
                    "lineage_edges",
                    ("upstream_id", "downstream_id", "origin_id", "origin_aspect"),
                    edges,
                )
                if len(self.ids) == len(records):  # the first size: the people, once
                    _write(raw, "actors", ("urn", "display_name"), self._actors())
                fresh = [r.urn for r in records]
                incidents, links, touched = self._incident_rows(fresh, size)
                _write(raw, "incidents", INCIDENT_COLUMNS, incidents)
                _write(raw, "incident_assets", LINK_COLUMNS, links)
                self._summarise(connection, touched)
                for statement in BACKFILL:
                    connection.execute(text(statement))
                if connection.dialect.name == "postgresql":
                    for table in ("assets", "incidents"):  # ids were given, not drawn
                        connection.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"
                            )
                        )
            _analyze(engine)
        finally:
            engine.dispose()
        return Seeded(size, len(records), len(edges), len(incidents), time.perf_counter() - started)

    def _catalog_rows(
        self, records: Sequence[Any]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        assets, owners = [], []
        for record in records:
            ref = parse_asset(record.urn)
            asset_id = len(self.ids) + 1
            self.ids[record.urn] = asset_id
            self.urns.append(record.urn)
            self.names.append(record.name)
            self.kinds[ref.kind] += 1
            self.platforms[ref.platform] += 1
            assets.append(
                (
                    asset_id,
                    record.urn,
                    ref.kind,
                    ref.platform,
                    record.name,
                    record.description,
                    False,
                    START_MS,
                )
            )
            for position, owner in enumerate(record.owners):
                owners.append((asset_id, owner, "TECHNICAL_OWNER", position))
                self.owned[owner] += 1
        if not self.hot_urn:
            self.hot_urn = next(u for u in self.urns if u.startswith("urn:li:dataset:"))
        edges = {
            (self.ids[up], self.ids[record.urn])
            for record in records
            for up in record.upstreams
            if up != record.urn
        }
        return assets, owners, [(up, down, down, "upstreamLineage") for up, down in edges]

    def _actors(self) -> Iterable[tuple[Any, ...]]:
        for i in range(USERS + GROUPS):
            yield owner_urn(i), f"User {i}" if i < USERS else f"Team {i - USERS}"

    def _incident_rows(
        self, fresh: list[str], size: int
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], set[int]]:
        """Incidents up to one per asset: one active incident on each newly broken asset (1%
        of the new ones), then the hot dataset's share, then the long tail."""
        new = self.rng.sample(fresh, len(fresh) // BROKEN_SHARE)
        self.broken.update(new)
        self.broken.add(self.hot_urn)
        wanted = size - self.incidents
        targets = list(new)
        hot = wanted // HOT_SHARE
        targets += [self.hot_urn] * hot
        n = len(self.urns)
        while len(targets) < wanted:
            targets.append(self.urns[int(n * self.rng.random() ** 3)])
        incidents, links, touched = [], [], set()
        for k, urn in enumerate(targets):
            incident_id = self.incidents + 1
            self.incidents = incident_id
            at = START_MS + incident_id * 1000
            if urn == self.hot_urn:
                state = "RESOLVED" if k % HOT_SHARE == 0 else "ACTIVE"
            else:
                state = "ACTIVE" if urn in self.broken else "RESOLVED"
            incidents.append(
                (
                    incident_id,
                    f"urn:li:incident:bench-{incident_id}",
                    "OPERATIONAL",
                    f"Freshness check failed ({incident_id})",
                    "The table was not updated in the last 24 hours.",
                    state,
                    at,
                    "urn:li:corpuser:bench",
                    "MANUAL",
                    at,
                    at,
                    "urn:li:corpuser:bench",
                    at,
                )
            )
            asset_id = self.ids[urn]
            links.append((incident_id, asset_id, 0, state, at, "OPERATIONAL"))
            summary = self.summaries.setdefault(asset_id, Summary())
            summary.changed_at = at
            summary.total += 1
            if state == "ACTIVE":
                summary.active += 1
                summary.latest_active = incident_id
            touched.add(asset_id)
        return incidents, links, touched

    def _summarise(self, connection: Any, touched: set[int]) -> None:
        rows = [
            {
                "id": i,
                "n": s.active,
                "total": s.total,
                "latest": s.latest_active,
                "at": s.changed_at,
            }
            for i in sorted(touched)
            for s in [self.summaries[i]]
        ]
        connection.execute(
            text(
                "UPDATE assets SET active_incidents = :n, incidents_total = :total, "
                "latest_incident_id = :latest, incidents_changed_at = :at WHERE id = :id"
            ),
            rows,
        )


def _write(raw: Any, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Rows into a table by the fastest way each driver has."""
    names = ", ".join(columns)
    if type(raw).__module__.startswith("sqlite3"):
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _analyze(engine: Engine) -> None:
    """PostgreSQL: what autovacuum would do soon after such a load, now (the statistics, and
    the visibility map that lets index-only scans skip the table), so that the measured plans
    and costs are a settled database's. SQLite is left without statistics: Dataflare does not
    run ANALYZE there, and its plans are chosen not to need them."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
