"""Demo data for `make run`: a small company's catalog (a few hundred assets on Kafka,
PostgreSQL, S3, Hive, dbt, Snowflake, Airflow, Looker and Tableau, with owners and lineage), fed
through ingestion like real metadata, and 90 days of its incidents.

sample.py: the first demo's assets and incidents, which docs and tests name; people.py, domains.py
and catalog.py: the rest of the catalog; stories.py and history.py: the incidents' history;
loading.py: `load_demo`."""

from dataflare.ingest.demo.loading import load_demo
from dataflare.ingest.demo.sample import (
    ANALYTICS_TEAM,
    ASMITH,
    CUSTOMERS,
    DASHBOARD,
    EXTRACT,
    FLOW,
    JDOE,
    KAFKA,
    LOAD,
    ORDER_EVENTS,
    ORDERS,
    PLATFORM_TEAM,
    REGION_CHART,
    RESOLVED_DEMO_ID,
    REVENUE,
    REVENUE_CHART,
)

__all__ = [
    "ANALYTICS_TEAM",
    "ASMITH",
    "CUSTOMERS",
    "DASHBOARD",
    "EXTRACT",
    "FLOW",
    "JDOE",
    "KAFKA",
    "LOAD",
    "ORDERS",
    "ORDER_EVENTS",
    "PLATFORM_TEAM",
    "REGION_CHART",
    "RESOLVED_DEMO_ID",
    "REVENUE",
    "REVENUE_CHART",
    "load_demo",
]
