"""The DataHub Python SDK (acryl-datahub) connects to a real Dataflare server and drives it."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.server import Server
from tests.sdk.conftest import needs_sdk, run_sdk_script

CLIENT = Path(__file__).parent / "datahub_client.py"

pytestmark = needs_sdk


def test_the_sdk_connects_raises_lists_and_resolves(server: Server, tmp_path: Path) -> None:
    seen = run_sdk_script(CLIENT, server, tmp_path, timeout=120)

    assert seen["raised"].startswith("urn:li:incident:")
    assert seen["active"]["health"] == [
        {"type": "INCIDENTS", "status": "FAIL", "message": "1 active incident"}
    ]
    assert seen["active"]["incidents"] == {
        "total": 1,
        "incidents": [{"urn": seen["raised"], "title": "from the SDK", "priority": "HIGH"}],
    }
    assert seen["resolved"] == {"updateIncidentStatus": "true"}
    assert seen["after"]["incidents"]["total"] == 0
    assert seen["after"]["health"][0]["status"] == "PASS"
    assert "customType is required when type is CUSTOM" in seen["error"]


CATALOG = Path(__file__).parent / "datahub_catalog.py"
EVENTS = "urn:li:dataset:(urn:li:dataPlatform:kafka,orders_events,PROD)"
ORDERS = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.orders,PROD)"


def test_the_sdk_emits_a_catalog_and_reads_owners_lineage_and_broken_upstreams(
    server: Server, tmp_path: Path
) -> None:
    seen = run_sdk_script(CATALOG, server, tmp_path, timeout=120)

    assert seen["openapi"] is False
    assert seen["orders"] == {
        "properties": {"name": "orders", "description": "The orders."},
        "ownership": {
            "owners": [
                {"type": "TECHNICAL_OWNER", "owner": {"urn": "urn:li:corpuser:jdoe"}},
                {"type": "BUSINESS_OWNER", "owner": {"urn": "urn:li:corpGroup:data-platform"}},
            ]
        },
    }
    assert seen["lineage"] == {"total": 1, "relationships": [{"entity": {"urn": ORDERS}}]}
    assert seen["broken_upstreams"] == {
        "total": 1,
        "searchResults": [{"degree": 2, "entity": {"urn": EVENTS}}],
    }
    assert seen["broken"] == {"total": 1, "searchResults": [{"entity": {"urn": EVENTS}}]}


SMOKE_INGEST = Path(__file__).parent / "datahub_smoke_ingest.py"


def test_the_smoke_tests_file_ingestion_works_in_both_sink_modes(
    server: Server, tmp_path: Path
) -> None:
    seen = run_sdk_script(SMOKE_INGEST, server, tmp_path, timeout=180)

    for mode in ("SYNC", "ASYNC_BATCH"):
        dataset = seen[mode]
        assert dataset["ownership"] == {"owners": [{"owner": {"urn": "urn:li:corpuser:jdoe"}}]}
        assertion = f"urn:li:assertion:smoke-{mode.lower()}"
        assert dataset["incidents"] == {
            "total": 1,
            "incidents": [
                {
                    "urn": f"urn:li:incident:smoke-{mode.lower()}",
                    "source": {
                        "type": "ASSERTION_FAILURE",
                        "source": {"urn": assertion, "info": {"type": "DATASET"}},
                    },
                    "created": {"time": 0, "actor": "urn:li:corpuser:admin"},
                }
            ],
        }
