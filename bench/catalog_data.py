"""A synthetic catalog for bench/catalog.py: datasets with lineage, jobs, charts, dashboards.

The catalog is made of domains of 100 assets each, generated in order from a fixed seed, so
that growing from 1,000 to 10,000 to 100,000 assets adds domains and never changes the ones
already loaded:

- 1 data flow and 8 data jobs (dataFlowInfo, dataJobInfo, dataJobInputOutput);
- 80 datasets (datasetProperties, ownership, upstreamLineage): 20 sources with no upstream,
  then 5 layers of 12, each dataset with 1 to 3 upstreams in the layer before it (sometimes one
  further back), and now and then a source of an earlier domain: from the last layer,
  chains of 5 or 6 hops (through the jobs) to the sources;
- 8 charts reading the last layer (chartInfo) and 3 dashboards of those charts (dashboardInfo).

Every asset has one or two owners among 300 (250 users, 50 groups). Edges only point to
earlier assets, so what is upstream of an asset never changes as the catalog grows.

The generator also keeps, per asset, the text that search matches (urn, name, description),
so that the benchmark can check the totals the server answers, and a record of each new asset
(name, description, owners, upstreams) for the bulk seeder (bench/catalog_seed.py).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

DOMAIN_SIZE = 100
SOURCES = 20  # datasets of layer 0 in a domain
LAYERS = 5  # layers after the sources
PER_LAYER = 12
DATASETS = SOURCES + LAYERS * PER_LAYER  # 80
JOBS, CHARTS, DASHBOARDS = 8, 8, 3
assert 1 + JOBS + DATASETS + CHARTS + DASHBOARDS == DOMAIN_SIZE

USERS, GROUPS = 250, 50
DOMAINS = ("sales", "finance", "marketing", "product", "growth", "ops", "risk", "support")
WAREHOUSES = ("snowflake", "bigquery", "redshift", "databricks", "hive")
SOURCE_PLATFORMS = ("kafka", "postgres", "mysql", "s3")
LAYER_NAMES = ("raw", "stg", "int", "fct", "agg", "mart")
WORDS = [
    "orders",
    "customers",
    "revenue",
    "invoices",
    "payments",
    "refunds",
    "sessions",
    "clicks",
    "signups",
    "churn",
    "inventory",
    "shipments",
    "returns",
    "campaigns",
    "leads",
    "accounts",
    "subscriptions",
    "usage",
    "events",
    "tickets",
    "products",
    "prices",
    "discounts",
    "vendors",
    "contracts",
    "budgets",
    "forecasts",
    "employees",
    "regions",
    "stores",
]
SEARCH_WORD = "revenue"  # the free-text word the benchmark searches for

EDITED = {"time": 1764145800000, "actor": "urn:li:corpuser:ingestion"}


def owner_urn(index: int) -> str:
    if index < USERS:
        return f"urn:li:corpuser:user{index:03d}"
    return f"urn:li:corpGroup:team{index - USERS:02d}"


def dataset_urn(platform: str, name: str) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:{platform},{name},PROD)"


def mcp(entity_type: str, urn: str, aspect_name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "entityType": entity_type,
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": aspect_name,
        "aspect": {"value": json.dumps(value), "contentType": "application/json"},
    }


@dataclass
class Record:
    """One asset as the bulk seeder writes it."""

    urn: str
    name: str
    description: str
    upstreams: list[str]
    owners: list[str] = field(default_factory=list)


@dataclass
class Catalog:
    """What has been generated so far: every asset's searchable text, and upstream edges."""

    seed: int = 2026
    domains: int = 0
    text: dict[str, str] = field(default_factory=dict)  # urn -> "urn name description", lower
    upstreams: dict[str, list[str]] = field(default_factory=dict)  # urn -> direct upstreams
    sources: list[str] = field(default_factory=list)  # every domain's source datasets
    deepest: list[str] = field(default_factory=list)  # each domain's last-layer datasets
    records: dict[str, Record] = field(default_factory=dict)  # new since `take_records`

    @property
    def size(self) -> int:
        return self.domains * DOMAIN_SIZE

    def owners(self) -> Iterator[dict[str, Any]]:
        """corpUserInfo / corpGroupInfo of the 300 owners (sent once, before the assets)."""
        for i in range(USERS + GROUPS):
            urn = owner_urn(i)
            if i < USERS:
                info = {"active": True, "displayName": f"User {i}", "email": f"user{i}@ex.com"}
                yield mcp("corpuser", urn, "corpUserInfo", info)
            else:
                info = {"displayName": f"Team {i - USERS}", "email": f"team{i}@ex.com"}
                yield mcp("corpGroup", urn, "corpGroupInfo", info)

    def grow(self, domains: int) -> Iterator[dict[str, Any]]:
        """The proposals of the next `domains` domains, in order."""
        for _ in range(domains):
            yield from self._domain(self.domains)
            self.domains += 1

    def take_records(self) -> list[Record]:
        """The assets generated since the last call, in order (upstreams as generated)."""
        taken = list(self.records.values())
        self.records = {}
        return taken

    def _asset(self, urn: str, name: str, description: str, upstreams: list[str]) -> None:
        self.text[urn] = f"{urn} {name} {description}".lower()
        self.upstreams[urn] = upstreams
        self.records[urn] = Record(urn, name, description, upstreams)

    def _ownership(self, rng: random.Random, d: int, urn: str) -> dict[str, Any]:
        owners = [owner_urn(USERS + d % GROUPS)]
        if rng.random() < 0.6:
            owners.append(owner_urn(rng.randrange(USERS)))
        self.records[urn].owners = list(dict.fromkeys(owners))
        return {
            "owners": [{"owner": o, "type": "TECHNICAL_OWNER"} for o in owners],
            "lastModified": EDITED,
        }

    def _domain(self, d: int) -> Iterator[dict[str, Any]]:
        rng = random.Random(self.seed * 1_000_003 + d)
        area = DOMAINS[d % len(DOMAINS)]
        warehouse = WAREHOUSES[d % len(WAREHOUSES)]
        flow = f"urn:li:dataFlow:(airflow,{area}_{d},prod)"
        self._asset(flow, f"{area}_{d}", f"Pipelines of the {area} domain", [])
        yield mcp("dataFlow", flow, "dataFlowInfo", {"name": f"{area}_{d}", "customProperties": {}})
        yield mcp("dataFlow", flow, "ownership", self._ownership(rng, d, flow))

        layers: list[list[str]] = []
        for layer in range(LAYERS + 1):
            urns = []
            for k in range(SOURCES if layer == 0 else PER_LAYER):
                word, other = rng.sample(WORDS, 2)
                name = f"{area}.{LAYER_NAMES[layer]}_{word}_{d}_{k}"
                platform = rng.choice(SOURCE_PLATFORMS) if layer == 0 else warehouse
                urn = dataset_urn(platform, name)
                description = f"{LAYER_NAMES[layer].upper()} {word} by {other}, {area} domain."
                ups: list[str] = []
                if layer:
                    picks = rng.randint(1, 3)
                    ups = rng.sample(layers[layer - 1], picks)
                    if layer > 1 and rng.random() < 0.3:
                        ups.append(rng.choice(layers[rng.randrange(layer - 1)]))
                    if self.sources and rng.random() < 0.1:
                        ups.append(rng.choice(self.sources))  # a source of an earlier domain
                    ups = list(dict.fromkeys(ups))
                self._asset(urn, name, description, ups)
                urns.append(urn)
                props = {"name": name, "description": description, "customProperties": {}}
                yield mcp("dataset", urn, "datasetProperties", props)
                yield mcp("dataset", urn, "ownership", self._ownership(rng, d, urn))
                if ups:
                    lineage = [
                        {"dataset": u, "type": "TRANSFORMED", "auditStamp": EDITED} for u in ups
                    ]
                    yield mcp("dataset", urn, "upstreamLineage", {"upstreams": lineage})
            layers.append(urns)

        for k in range(JOBS):
            job = f"urn:li:dataJob:({flow},build_{k})"
            outputs = layers[1 + k % LAYERS][(k // LAYERS) * 2 :][:2]
            inputs = list(dict.fromkeys(u for o in outputs for u in self.upstreams[o]))
            self._asset(job, f"build_{k}", f"Builds {area} tables", inputs)
            for o in outputs:
                self.upstreams[o] = [*self.upstreams[o], job]
                self.records[o].upstreams = self.upstreams[o]
            yield mcp("dataJob", job, "dataJobInfo", {"name": f"build_{k}", "type": "COMMAND"})
            yield mcp("dataJob", job, "ownership", self._ownership(rng, d, job))
            io = {"inputDatasets": inputs, "outputDatasets": outputs}
            yield mcp("dataJob", job, "dataJobInputOutput", io)

        charts = []
        for k in range(CHARTS):
            chart = f"urn:li:chart:(looker,{area}_{d}_{k})"
            word = rng.choice(WORDS)
            title, description = f"{area} {word} {k}", f"Weekly {word} of the {area} domain"
            inputs = rng.sample(layers[LAYERS], 2)
            self._asset(chart, title, description, inputs)
            charts.append(chart)
            info = {
                "title": title,
                "description": description,
                "inputs": inputs,
                "lastModified": {"created": EDITED, "lastModified": EDITED},
            }
            yield mcp("chart", chart, "chartInfo", info)
            yield mcp("chart", chart, "ownership", self._ownership(rng, d, chart))
        for k in range(DASHBOARDS):
            dashboard = f"urn:li:dashboard:(looker,{area}_{d}_{k})"
            title, description = f"{area} overview {k}", f"The {area} domain at a glance"
            used = rng.sample(charts, 3)
            self._asset(dashboard, title, description, used)
            info = {
                "title": title,
                "description": description,
                "charts": used,
                "lastModified": {"created": EDITED, "lastModified": EDITED},
            }
            yield mcp("dashboard", dashboard, "dashboardInfo", info)
            yield mcp("dashboard", dashboard, "ownership", self._ownership(rng, d, dashboard))

        self.sources.extend(layers[0])
        self.deepest.extend(layers[LAYERS])

    def upstream_closure(self, urn: str) -> dict[str, int]:
        """urn -> hops, for every asset upstream of `urn` (what searchAcrossLineage walks)."""
        degrees: dict[str, int] = {}
        frontier, depth = [urn], 0
        while frontier:
            depth += 1
            found = {u for f in frontier for u in self.upstreams.get(f, [])}
            frontier = [u for u in found if u not in degrees and u != urn]
            degrees.update((u, depth) for u in frontier)
        return degrees

    def matches(self, urns: set[str], word: str | None) -> int:
        """How many of `urns` a free-text search for `word` finds (every asset if None)."""
        if word is None:
            return len(urns)
        return sum(1 for u in urns if word.lower() in self.text[u])
