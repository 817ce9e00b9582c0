"""Demo data for `make run`: a few assets of each kind, some with incidents."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dataflare.catalog.service import ensure_assets
from dataflare.incidents import service
from dataflare.urns import parse_asset, user_urn

FLOW = "urn:li:dataFlow:(airflow,daily_sales,prod)"
ASSETS = [
    "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)",
    "urn:li:dataset:(urn:li:dataPlatform:kafka,orders_events,PROD)",
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.orders,PROD)",
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.daily_revenue,PROD)",
    FLOW,
    f"urn:li:dataJob:({FLOW},extract_orders)",
    f"urn:li:dataJob:({FLOW},load_revenue)",
    "urn:li:chart:(looker,look.1)",
    "urn:li:chart:(looker,look.2)",
    "urn:li:dashboard:(looker,dashboards.1)",
]
INCIDENTS = [
    service.RaiseRequest(
        incident_id="demo-orders-late",
        type="FRESHNESS",
        title="Orders table is 6 hours late",
        description="The nightly load of analytics.public.orders has not landed since 02:00 UTC.",
        resource_urn=ASSETS[2],
        priority="HIGH",
        stage="INVESTIGATION",
        assignee_urns=[user_urn("jdoe")],
    ),
    service.RaiseRequest(
        incident_id="demo-load-revenue-failed",
        type="OPERATIONAL",
        title="load_revenue task failing",
        description="The task fails with a permissions error on the warehouse.",
        resource_urns=[ASSETS[6], ASSETS[3]],
        priority="CRITICAL",
    ),
    service.RaiseRequest(
        incident_id="demo-dashboard-numbers",
        type="CUSTOM",
        custom_type="Wrong numbers",
        title="Revenue dashboard double counts refunds",
        resource_urn=ASSETS[9],
        priority="MEDIUM",
    ),
]
RESOLVED_DEMO_ID = "demo-kafka-schema"


def load_demo(session: Session) -> bool:
    """Create the demo assets and incidents; False when they were already there."""
    if service.get_incident(session, f"urn:li:incident:{RESOLVED_DEMO_ID}") is not None:
        return False
    actor = user_urn("datahub")
    ensure_assets(session, [parse_asset(urn) for urn in ASSETS])
    for request in INCIDENTS:
        service.raise_incident(session, actor, request)
    resolved = service.raise_incident(
        session,
        actor,
        service.RaiseRequest(
            incident_id=RESOLVED_DEMO_ID,
            type="DATA_SCHEMA",
            title="Field removed from SampleKafkaDataset",
            resource_urn=ASSETS[0],
            priority="LOW",
        ),
    )
    service.update_status(
        session,
        actor,
        resolved.urn,
        "RESOLVED",
        "FIXED",
        "Producer rolled back; the field is back.",
    )
    return True
