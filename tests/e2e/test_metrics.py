"""Prometheus metrics of a real `dataflare serve`, scraped over HTTP and parsed: counters that
move with real requests, gauges read from the database, and who may read them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from dataflare.db.database import POOL_OVERFLOW, POOL_SIZE
from tests.conftest import ADMIN_TOKEN
from tests.e2e.scrape import graphql, label_values, scrape, scrape_until, value
from tests.e2e.server import DATAFLARE, dataflare_env, free_port, serving
from tests.ingest.mcps import AUTH, BATCH, mcp

SNOWFLAKE = "urn:li:dataset:(urn:li:dataPlatform:snowflake,db.orders,PROD)"
KAFKA = "urn:li:dataset:(urn:li:dataPlatform:kafka,events,PROD)"
RAISE_CRITICAL = (
    "mutation raiseIncident { raiseIncident(input: {type: OPERATIONAL, priority: CRITICAL, "
    f'resourceUrn: "{SNOWFLAKE}"}}) }}'
)
RAISE_UNPRIORITISED = (
    "mutation raiseIncident { raiseIncident(input: {type: FRESHNESS, "
    f'resourceUrn: "{KAFKA}"}}) }}'
)
RAISE_BAD_URN = 'mutation badRaise { raiseIncident(input: {type: SQL, resourceUrn: "not-a-urn"}) }'
RESOLVE = 'mutation resolve {{ updateIncidentStatus(urn: "{urn}", input: {{state: RESOLVED}}) }}'
ANONYMOUS_READ = f'{{ dataset(urn: "{KAFKA}") {{ urn }} }}'
REQUESTS = "dataflare_http_requests_total"
OPERATIONS = "dataflare_graphql_operations_total"
ACTIVE = "dataflare_incidents_active"
DOCS = Path(__file__).parents[2] / "docs" / "operations.md"


def test_counters_and_gauges_follow_real_requests(database_url: str, tmp_path: Path) -> None:
    env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN)
    with serving(env, "--no-notify") as server:
        metrics = f"{server.url}/metrics"
        before = scrape(metrics)
        # given: two incidents raised, one refused, an anonymous read, a page and a stray URL
        critical = graphql(server.url, RAISE_CRITICAL).json()["data"]["raiseIncident"]
        graphql(server.url, RAISE_UNPRIORITISED).raise_for_status()
        refused = graphql(server.url, RAISE_BAD_URN).json()
        graphql(server.url, ANONYMOUS_READ).raise_for_status()
        page = httpx.get(f"{server.url}/login")
        stray = httpx.get(f"{server.url}/no/such/page/12345")
        asset = httpx.get(f"{server.url}/asset/{SNOWFLAKE}")
        raised = scrape(metrics)
        # when: one is resolved
        graphql(server.url, RESOLVE.format(urn=critical)).raise_for_status()
        resolved = scrape(metrics)

    assert refused["errors"] and page.status_code == 200 and stray.status_code == 404
    moved = {
        key: raised.get(key, 0.0) - before.get(key, 0.0)
        for key in raised
        if key[0] in (REQUESTS, OPERATIONS)
    }
    post = {"method": "POST", "route": "/api/graphql", "status": "200"}
    assert moved[REQUESTS, frozenset(post.items())] == 4
    assert value(raised, REQUESTS, method="GET", route="/login", status="200") == 1
    assert value(raised, REQUESTS, method="GET", route="unmatched", status="404") == 1
    # a page's route is its template, never the URL asked for
    asset_route = "/asset/{urn:path}"
    assert value(raised, REQUESTS, method="GET", route=asset_route, status=str(asset.status_code))
    assert not any(
        "12345" in route or "orders" in route for route in label_values(raised, REQUESTS, "route")
    )
    assert value(raised, "dataflare_http_request_duration_seconds_count", **post) >= 4
    assert value(raised, OPERATIONS, operation="raiseIncident", outcome="ok") == 2
    assert value(raised, OPERATIONS, operation="badRaise", outcome="error") == 1
    assert value(raised, OPERATIONS, operation="anonymous", outcome="ok") == 1
    # the gauges are what the database holds
    assert value(raised, ACTIVE, priority="CRITICAL", platform="snowflake") == 1
    assert value(raised, ACTIVE, priority="NONE", platform="kafka") == 1
    assert value(resolved, ACTIVE, priority="CRITICAL", platform="snowflake") == 0
    assert value(resolved, ACTIVE, priority="NONE", platform="kafka") == 1
    assert value(raised, "dataflare_database_up") == 1
    assert value(raised, "dataflare_db_pool_connections_max") == POOL_SIZE + POOL_OVERFLOW
    assert value(raised, "dataflare_notification_events_unrouted") >= 2  # no worker runs
    assert value(raised, "dataflare_notification_queue_depth") == 0
    assert value(raised, "dataflare_notification_deliveries_dead") == 0
    if database_url.startswith("sqlite"):
        assert value(raised, "dataflare_sqlite_group_commit_batch_size_count") >= 2


def test_metrics_need_an_access_token(database_url: str, tmp_path: Path) -> None:
    env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN)
    with serving(env, "--no-notify") as server:
        missing = httpx.get(f"{server.url}/metrics")
        unknown = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer dfp_no"})
        scraped = scrape(f"{server.url}/metrics")

    assert missing.status_code == 401 and "token" in missing.json()["errors"][0]["message"]
    assert unknown.status_code == 401
    assert value(scraped, REQUESTS, method="GET", route="/metrics", status="401") == 2


def test_metrics_switched_off_are_not_there(database_url: str, tmp_path: Path) -> None:
    env = dataflare_env(
        tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN, DATAFLARE_METRICS="off"
    )
    with serving(env, "--no-notify") as server:
        answer = httpx.get(
            f"{server.url}/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )

    assert answer.status_code == 404


def test_metrics_on_a_port_of_their_own(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = dataflare_env(
        tmp_path,
        database_url,
        DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN,
        DATAFLARE_METRICS=f"listen:127.0.0.1:{port}",
    )
    with serving(env, "--no-notify") as server:
        on_api_port = httpx.get(
            f"{server.url}/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )
        graphql(server.url, RAISE_CRITICAL).raise_for_status()
        scraped = scrape(f"http://127.0.0.1:{port}/metrics", token=None)

    assert on_api_port.status_code == 404
    assert value(scraped, OPERATIONS, operation="raiseIncident", outcome="ok") == 1
    assert value(scraped, ACTIVE, priority="CRITICAL", platform="snowflake") == 1


def test_several_workers_are_counted_together(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("several workers need PostgreSQL")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dataflare_env(
        tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN, TMPDIR=str(scratch)
    )
    with serving(env, "--no-notify", "--workers", "2") as server:
        metrics = f"{server.url}/metrics"
        shared = list(scratch.glob("dataflare-metrics-*"))
        # /health answered as soon as one worker was up: wait for the second one's pool, the
        # proof that the gauges of both processes are added up (40 connections each)
        both_up = scrape_until(
            metrics, "dataflare_db_pool_connections_max", 2 * (POOL_SIZE + POOL_OVERFLOW)
        )
        for _ in range(12):
            graphql(server.url, RAISE_UNPRIORITISED).raise_for_status()
        scrapes = [scrape(metrics) for _ in range(6)]  # answered by either worker
        files = {path.name.split("_")[0] for path in shared[0].glob("*.db")}

    assert value(both_up, "dataflare_db_pool_connections_max") == 2 * (POOL_SIZE + POOL_OVERFLOW)
    for scraped in scrapes:
        assert value(scraped, OPERATIONS, operation="raiseIncident", outcome="ok") == 12
        assert value(scraped, ACTIVE, priority="NONE", platform="kafka") == 12
        assert value(scraped, "dataflare_db_pool_connections_max") == 2 * (
            POOL_SIZE + POOL_OVERFLOW
        )
    assert len(shared) == 1 and {"counter", "histogram"} <= files
    assert not shared[0].exists()  # the server removed its folder when it stopped


def test_a_bad_setting_stops_the_start_naming_the_variable(tmp_path: Path) -> None:
    env = dataflare_env(
        tmp_path, f"sqlite:///{tmp_path / 'x.db'}", DATAFLARE_METRICS="listen:everywhere"
    )
    done = subprocess.run(
        [DATAFLARE, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode != 0
    assert done.stderr.startswith("Error: DATAFLARE_METRICS must be")
    assert "listen:everywhere" in done.stderr and "Traceback" not in done.stderr


def test_docs_name_every_metric_with_its_type(tmp_path: Path) -> None:
    env = dataflare_env(
        tmp_path, f"sqlite:///{tmp_path / 'dataflare.db'}", DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN
    )
    with serving(env, "--no-notify") as server:
        graphql(server.url, RAISE_CRITICAL).raise_for_status()
        text = httpx.get(
            f"{server.url}/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        ).text
    served = {
        family.name + ("_total" if family.type == "counter" else ""): family.type
        for family in text_string_to_metric_families(text)
        if family.name.startswith("dataflare_")
    }
    rows = re.findall(r"^\| `(dataflare_\w+)` \| (\w+) \|", DOCS.read_text(), re.MULTILINE)

    assert dict(rows) == served


def test_a_port_of_their_own_adds_up_several_workers(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("several workers need PostgreSQL")
    port = free_port()
    env = dataflare_env(
        tmp_path,
        database_url,
        DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN,
        DATAFLARE_METRICS=f"listen:{port}",
    )
    with serving(env, "--no-notify", "--workers", "2") as server:
        metrics = f"http://127.0.0.1:{port}/metrics"
        both_up = scrape_until(
            metrics,
            "dataflare_db_pool_connections_max",
            2 * (POOL_SIZE + POOL_OVERFLOW),
            token=None,
        )
        for _ in range(5):
            graphql(server.url, RAISE_CRITICAL).raise_for_status()
        scraped = scrape(metrics, token=None)

    assert value(both_up, "dataflare_db_pool_connections_max") == 2 * (POOL_SIZE + POOL_OVERFLOW)
    assert value(scraped, OPERATIONS, operation="raiseIncident", outcome="ok") == 5
    assert value(scraped, ACTIVE, priority="CRITICAL", platform="snowflake") == 5


def test_a_server_error_is_counted_as_a_500(demo_database_url: str, tmp_path: Path) -> None:
    # A database of this test's own (the demo's copy): the test breaks it, and on PostgreSQL the
    # other tests share one.
    database_url = demo_database_url
    env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN_TOKEN)
    with serving(env, "--no-notify") as server:
        graphql(server.url, RAISE_CRITICAL).raise_for_status()
        # given: a table taken away under the running server, as a broken restore would
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE incident_activity"))
        engine.dispose()
        # when: an incident sent as metadata needs it (a REST answer: GraphQL says it in errors)
        info = {"type": "SQL", "entities": [KAFKA], "status": {"state": "ACTIVE"}}
        failed = httpx.post(
            f"{server.url}{BATCH}",
            json={"proposals": [mcp("urn:li:incident:broken", "incidentInfo", info)]},
            headers=AUTH,
        )
        graphql_failed = graphql(server.url, RAISE_UNPRIORITISED).json()
        scraped = scrape(f"{server.url}/metrics")

    assert failed.status_code == 500, failed.text
    assert "request id" in failed.text and "Traceback" not in failed.text
    assert value(scraped, REQUESTS, method="POST", route="/aspects", status="500") == 1
    assert graphql_failed["errors"][0]["extensions"] == {"code": 500, "type": "SERVER_ERROR"}
    assert value(scraped, OPERATIONS, operation="raiseIncident", outcome="error") == 1
