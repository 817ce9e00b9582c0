"""The demo company's catalog, built from domains.py: per domain, its sources (Kafka topics and
PostgreSQL tables), their raw copies in the lake (Hive for topics, S3 for tables), dbt staging
models, Snowflake marts, an Airflow flow whose jobs move the data from one to the next, and
Looker or Tableau charts and dashboards; with owners, and lineage along the whole way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataflare.ingest.demo import people
from dataflare.ingest.demo.domains import DOMAINS, Domain
from dataflare.ingest.demo.proposals import dataset, mcp, owned

# What each kind of asset is, in the order data flows through them.
KINDS = ("source", "raw", "staging", "mart", "flow", "job", "chart", "dashboard")


@dataclass(frozen=True)
class Asset:
    urn: str
    name: str
    kind: str  # one of KINDS
    domain: Domain

    @property
    def engineer(self) -> str:
        return people.person(self.domain.engineer)

    @property
    def analyst(self) -> str:
        return people.person(self.domain.analyst)


@dataclass
class Catalog:
    assets: list[Asset]
    proposals: list[dict[str, Any]]


def _short(source: str) -> str:
    return source.rsplit(".", 1)[1]


def _one(what: str) -> str:
    """`a cart change` -> `cart change`."""
    return what.split(" ", 1)[1] if what.split(" ", 1)[0] in ("a", "an") else what


def build() -> Catalog:
    catalog = Catalog([], people.proposals())
    marts: dict[str, str] = {}  # table -> URN, for marts that read other domains' marts
    for domain in DOMAINS:
        for table, _, _ in domain.marts:
            marts[table] = dataset("snowflake", f"analytics.marts.{table}")
    looks, boards = iter(range(101, 1000)), iter(range(11, 1000))
    for domain in DOMAINS:
        _domain(catalog, domain, marts, looks, boards)
    return catalog


def _add(
    catalog: Catalog, urn: str, name: str, kind: str, domain: Domain, *proposals: dict[str, Any]
) -> None:
    catalog.assets.append(Asset(urn, name, kind, domain))
    catalog.proposals.extend(proposals)


def _domain(
    catalog: Catalog,
    domain: Domain,
    marts: dict[str, str],
    looks: Any,
    boards: Any,
) -> None:
    engineer, analyst = people.person(domain.engineer), people.person(domain.analyst)
    team = people.team(domain.team)
    flow = f"urn:li:dataFlow:(airflow,{domain.key}_pipeline,prod)"
    _add(
        catalog,
        flow,
        f"{domain.key}_pipeline",
        "flow",
        domain,
        mcp(
            flow,
            "dataFlowInfo",
            {
                "name": f"{domain.key}_pipeline",
                "description": f"Loads the {domain.key} data into the lake and the warehouse, "
                "hourly for events and nightly for tables.",
            },
        ),
        owned(flow, engineer, people.PLATFORM),
    )

    def job(name: str, description: str, inputs: list[str], outputs: list[str]) -> None:
        urn = f"urn:li:dataJob:({flow},{name})"
        _add(
            catalog,
            urn,
            name,
            "job",
            domain,
            mcp(urn, "dataJobInfo", {"name": name, "type": "COMMAND", "description": description}),
            mcp(urn, "dataJobInputOutput", {"inputDatasets": inputs, "outputDatasets": outputs}),
            owned(urn, engineer, team),
        )

    def table(
        urn: str, name: str, kind: str, description: str, reads: list[str], *owners: str
    ) -> None:
        proposals = [mcp(urn, "datasetProperties", {"name": name, "description": description})]
        if reads:
            upstreams = [{"dataset": r, "type": "TRANSFORMED"} for r in reads]
            proposals.append(mcp(urn, "upstreamLineage", {"upstreams": upstreams}))
        _add(catalog, urn, name, kind, domain, *proposals, owned(urn, *owners))

    staged = []
    for platform, name, what in domain.sources:
        short = _short(name)
        if platform == "kafka":
            source_text = f"Kafka topic: one message per {_one(what)}."
            raw, raw_name = dataset("hive", f"raw.{domain.key}_{short}"), f"{domain.key}_{short}"
            raw_text = f"Every message of the {name} topic, landed hourly, partitioned by hour."
        else:
            source_text = f"The service's table: one row per {_one(what)}."
            raw_name = f"acme-datalake/raw/{name.split('.')[0]}/{short}"
            raw, raw_text = dataset("s3", raw_name), f"Nightly snapshot of {name}, as Parquet."
        source = dataset(platform, name)
        table(source, name, "source", source_text, [], engineer, team)
        table(raw, raw_name, "raw", raw_text, [source], engineer, people.PLATFORM)
        job(f"ingest_{short}", f"Copies {name} to the lake.", [source], [raw])
        model = f"stg_{domain.key}__{short}"
        stage = dataset("dbt", f"analytics.staging.{model}")
        text = f"{_one(what).capitalize()}, cleaned and typed: one row per {_one(what)}."
        table(stage, model, "staging", text, [raw], engineer, people.PLATFORM)
        staged.append((raw, stage))
    job(
        "dbt_staging",
        "dbt run --select staging." + domain.key,
        [raw for raw, _ in staged],
        [stage for _, stage in staged],
    )
    for name, description, extra in domain.marts:
        urn = marts[name]
        reads = [stage for _, stage in staged] + [marts[other] for other in extra]
        table(urn, name, "mart", description, reads, engineer, team)
        job(f"build_{name}", f"dbt run --select {name}", reads, [urn])
    charts = []
    for title, description, inputs in domain.charts:
        chart = _chart_urn(domain, title, looks)
        charts.append(chart)
        info = {
            "title": title,
            "description": description,
            "inputs": [{"string": marts[m]} for m in inputs],
            "lastModified": {},
        }
        _add(
            catalog,
            chart,
            title,
            "chart",
            domain,
            mcp(chart, "chartInfo", info),
            owned(chart, analyst, people.ANALYTICS if domain.bi == "looker" else team),
        )
    for title, description, indexes in domain.dashboards:
        board = _dashboard_urn(domain, title, boards)
        info = {
            "title": title,
            "description": description,
            "charts": [charts[i] for i in indexes],
            "lastModified": {},
        }
        _add(
            catalog,
            board,
            title,
            "dashboard",
            domain,
            mcp(board, "dashboardInfo", info),
            owned(board, analyst, people.ANALYTICS if domain.bi == "looker" else team),
        )


def _slug(title: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in title.lower()).strip("_")


def _chart_urn(domain: Domain, title: str, looks: Any) -> str:
    if domain.bi == "looker":
        return f"urn:li:chart:(looker,look.{next(looks)})"
    return f"urn:li:chart:(tableau,{domain.key}.{_slug(title)})"


def _dashboard_urn(domain: Domain, title: str, boards: Any) -> str:
    if domain.bi == "looker":
        return f"urn:li:dashboard:(looker,dashboards.{next(boards)})"
    return f"urn:li:dashboard:(tableau,{_slug(title)})"
