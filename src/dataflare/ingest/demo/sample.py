"""The demo's first assets and incidents (Kafka topics, warehouse tables, an Airflow flow, Looker
charts and a dashboard, with owners and lineage): the docs, the tests and the screenshots name
them, so their URNs stay as they are."""

from __future__ import annotations

from dataflare.incidents import service
from dataflare.ingest.demo.proposals import dataset, mcp, owned

KAFKA = dataset("kafka", "SampleKafkaDataset")
ORDER_EVENTS = dataset("kafka", "orders_events")
ORDERS = dataset("snowflake", "analytics.public.orders")
REVENUE = dataset("snowflake", "analytics.public.daily_revenue")
CUSTOMERS = dataset("snowflake", "analytics.public.customers")
FLOW = "urn:li:dataFlow:(airflow,daily_sales,prod)"
EXTRACT = f"urn:li:dataJob:({FLOW},extract_orders)"
LOAD = f"urn:li:dataJob:({FLOW},load_revenue)"
REVENUE_CHART = "urn:li:chart:(looker,look.1)"
REGION_CHART = "urn:li:chart:(looker,look.2)"
DASHBOARD = "urn:li:dashboard:(looker,dashboards.1)"
JDOE, ASMITH = "urn:li:corpuser:jdoe", "urn:li:corpuser:asmith"
PLATFORM_TEAM, ANALYTICS_TEAM = "urn:li:corpGroup:data-platform", "urn:li:corpGroup:analytics"


CATALOG = [
    mcp(
        JDOE,
        "corpUserInfo",
        {
            "displayName": "Jane Doe",
            "email": "jdoe@example.com",
            "title": "Data engineer",
            "active": True,
        },
    ),
    mcp(JDOE, "corpUserEditableInfo", {"slack": "U024BE7LH"}),
    mcp(
        ASMITH,
        "corpUserInfo",
        {
            "displayName": "Alex Smith",
            "email": "asmith@example.com",
            "title": "Analyst",
            "active": True,
        },
    ),
    mcp(
        PLATFORM_TEAM,
        "corpGroupInfo",
        {"displayName": "Data Platform", "admins": [], "members": [], "groups": []},
    ),
    mcp(
        ANALYTICS_TEAM,
        "corpGroupInfo",
        {"displayName": "Analytics", "admins": [], "members": [], "groups": []},
    ),
    mcp(
        KAFKA,
        "datasetProperties",
        {"name": "SampleKafkaDataset", "description": "Sample events from the web site."},
    ),
    mcp(
        ORDER_EVENTS,
        "datasetProperties",
        {"name": "orders_events", "description": "Every order placed, as it happens."},
    ),
    mcp(ORDERS, "datasetProperties", {"name": "orders", "description": "One row per order."}),
    mcp(
        REVENUE,
        "datasetProperties",
        {"name": "daily_revenue", "description": "Revenue per day and region."},
    ),
    mcp(CUSTOMERS, "datasetProperties", {"name": "customers", "description": "Customer master."}),
    mcp(
        ORDERS, "upstreamLineage", {"upstreams": [{"dataset": ORDER_EVENTS, "type": "TRANSFORMED"}]}
    ),
    mcp(
        REVENUE,
        "upstreamLineage",
        {
            "upstreams": [
                {"dataset": ORDERS, "type": "TRANSFORMED"},
                {"dataset": CUSTOMERS, "type": "TRANSFORMED"},
            ]
        },
    ),
    mcp(FLOW, "dataFlowInfo", {"name": "daily_sales", "description": "Nightly sales pipeline."}),
    mcp(EXTRACT, "dataJobInfo", {"name": "extract_orders", "type": "COMMAND"}),
    mcp(LOAD, "dataJobInfo", {"name": "load_revenue", "type": "COMMAND"}),
    mcp(
        EXTRACT, "dataJobInputOutput", {"inputDatasets": [ORDER_EVENTS], "outputDatasets": [ORDERS]}
    ),
    mcp(
        LOAD,
        "dataJobInputOutput",
        {"inputDatasets": [ORDERS, CUSTOMERS], "outputDatasets": [REVENUE]},
    ),
    mcp(
        REVENUE_CHART,
        "chartInfo",
        {
            "title": "Revenue by day",
            "description": "",
            "inputs": [{"string": REVENUE}],
            "lastModified": {},
        },
    ),
    mcp(
        REGION_CHART,
        "chartInfo",
        {
            "title": "Orders by region",
            "description": "",
            "inputs": [{"string": ORDERS}],
            "lastModified": {},
        },
    ),
    mcp(
        DASHBOARD,
        "dashboardInfo",
        {
            "title": "Revenue",
            "description": "Daily revenue review.",
            "charts": [REVENUE_CHART, REGION_CHART],
            "lastModified": {},
        },
    ),
    *(owned(urn, JDOE, PLATFORM_TEAM) for urn in (KAFKA, ORDER_EVENTS, ORDERS, FLOW, EXTRACT)),
    *(owned(urn, JDOE) for urn in (REVENUE, CUSTOMERS, LOAD)),
    *(owned(urn, ASMITH, ANALYTICS_TEAM) for urn in (REVENUE_CHART, REGION_CHART, DASHBOARD)),
]

INCIDENTS = [
    service.RaiseRequest(
        incident_id="demo-orders-late",
        type="FRESHNESS",
        title="Orders table is 6 hours late",
        description="The nightly load of analytics.public.orders has not landed since 02:00 UTC.",
        resource_urn=ORDERS,
        priority="HIGH",
        stage="INVESTIGATION",
        assignee_urns=[JDOE],
    ),
    service.RaiseRequest(
        incident_id="demo-load-revenue-failed",
        type="OPERATIONAL",
        title="load_revenue task failing",
        description="The task fails with a permissions error on the warehouse.",
        resource_urns=[LOAD, REVENUE],
        priority="CRITICAL",
    ),
    service.RaiseRequest(
        incident_id="demo-dashboard-numbers",
        type="CUSTOM",
        custom_type="Wrong numbers",
        title="Revenue dashboard double counts refunds",
        resource_urn=DASHBOARD,
        priority="MEDIUM",
        assignee_urns=[ANALYTICS_TEAM],
    ),
]
RESOLVED_DEMO_ID = "demo-kafka-schema"
RESOLVED = service.RaiseRequest(
    incident_id=RESOLVED_DEMO_ID,
    type="DATA_SCHEMA",
    title="Field removed from SampleKafkaDataset",
    resource_urn=KAFKA,
    priority="LOW",
)
