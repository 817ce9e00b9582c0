"""The DataHub SDK's reads against a real Dataflare server, on each database: exists,
get_aspect, get_aspects_for_entity, get_entity_raw, get_entity_semityped,
get_related_entities (column lineage too), get_urns_by_filter (scrollAcrossEntities) and
`datahub get`, straight and through a server URL ending in /api/gms; then `datahub delete
--hard` of the incident."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.server import Server
from tests.sdk.conftest import needs_sdk, run_sdk_script

READS = Path(__file__).parent / "datahub_reads.py"
EVENTS = "urn:li:dataset:(urn:li:dataPlatform:kafka,orders_events,PROD)"
ORDERS = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.orders,PROD)"
REVENUE = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.revenue,PROD)"
GONE = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.gone,PROD)"
NEVER = "urn:li:dataset:(urn:li:dataPlatform:snowflake,never.sent,PROD)"
JDOE = "urn:li:corpuser:jdoe"
AMOUNT = f"urn:li:schemaField:({ORDERS},amount)"
TOTAL = f"urn:li:schemaField:({REVENUE},total)"

pytestmark = needs_sdk


def test_the_sdk_reads_what_was_sent_as_gms_serves_it(server: Server, tmp_path: Path) -> None:
    seen: dict[str, Any] = run_sdk_script(READS, server, tmp_path, timeout=300)
    incident = seen["incident_urn"]

    for how in ("direct", "behind_frontend"):
        read = seen[how]
        assert read["exists"] == {
            ORDERS: True,
            GONE: True,
            NEVER: False,
            JDOE: True,
            incident: True,
        }
        assert read["owners"] == [[JDOE, "TECHNICAL_OWNER"]]
        assert read["properties"] == {
            "customProperties": {},
            "name": "analytics.orders",
            "description": "The analytics.orders.",
            "tags": [],
        }
        assert read["no_schema"] is None
        assert read["never"] is None
        assert read["aspects_for_entity"] == {"ownership": True, "schemaMetadata": False}
        own = ["datasetKey", "datasetProperties", "ownership", "upstreamLineage"]
        assert read["raw"] == {"urn": ORDERS, "aspects": own}
        assert read["raw_projected"] == ["datasetKey", "upstreamLineage"]
        assert read["semityped"] == own
        assert read["semityped_never"] == ["datasetKey"]  # GMS answers the key alone
        assert read["incident"] == {
            "entities": [ORDERS],
            "state": "ACTIVE",
            "priority": 1,
            "title": "late",
        }
        assert read["upstreams"] == [[EVENTS, "DownstreamOf"]]
        assert read["downstreams"] == [[REVENUE, "DownstreamOf"]]
        assert read["owned"] == [[ORDERS, "OwnedBy"]]
        assert read["on_orders"] == [[incident, "IncidentOn"]]
        assert read["incident_on"] == [[ORDERS, "IncidentOn"]]
        assert read["column_upstreams"] == [[AMOUNT, "DownstreamOf"]]
        assert read["column_downstreams"] == [[TOTAL, "DownstreamOf"]]
        assert read["columns"] == [AMOUNT, TOTAL]  # the other searches, naming no type, skip them
        assert read["urns"] == [EVENTS, ORDERS, REVENUE]  # batches of 1: scrolled 3 times
        assert read["snowflake"] == [ORDERS, REVENUE]
        assert read["with_removed"] == [EVENTS, GONE, ORDERS, REVENUE]
        assert read["only_removed"] == [GONE]
        assert read["incidents"] == [incident]

    assert seen["get"]["code"] == 0
    assert sorted(seen["get"]["out"]) == [
        "datasetKey",
        "datasetProperties",
        "ownership",
        "upstreamLineage",
    ]
    assert seen["get"]["out"]["datasetKey"] == {
        "platform": "urn:li:dataPlatform:snowflake",
        "name": "analytics.orders",
        "origin": "PROD",
    }
    assert seen["get_aspect"]["code"] == 0
    assert seen["get_aspect"]["out"]["ownership"]["owners"] == [
        {"owner": JDOE, "type": "TECHNICAL_OWNER"}
    ]
    # `datahub delete --urn urn:li:incident:... --hard`: the incident is gone
    assert seen["hard_delete"] == {"code": 0, "exists": False, "on_orders": []}
    assert seen["get_never"]["code"] != 0
    assert seen["get_never"]["err"] == [f"Error: urn {NEVER} not found"]
