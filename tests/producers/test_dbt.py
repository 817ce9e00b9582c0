"""dbt on DuckDB, ingested with DataHub's dbt source into a real Dataflare server: a dbt test that
fails raises an incident on the model, and the next run, where it passes, resolves it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from tests.e2e.server import Server
from tests.producers.conftest import CHECKED, TOKEN, graphql, needs_producers, run_producer

pytestmark = needs_producers

PROJECT = Path(__file__).parent / "dbt_project"
ORDERS = "urn:li:dataset:(urn:li:dataPlatform:dbt,shop.main.orders,PROD)"
WAREHOUSE_ORDERS = "urn:li:dataset:(urn:li:dataPlatform:duckdb,shop.main.orders,PROD)"
PROFILES = """
shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: {path}
      threads: 1
"""
# As docs/assertions.md gives it.
RECIPE = """
source:
  type: dbt
  config:
    manifest_path: {target}/manifest.json
    catalog_path: {target}/catalog.json
    run_results_paths: [{run_results}]
    target_platform: duckdb
    convert_urns_to_lowercase: false
sink:
  type: datahub-rest
  config:
    server: {server}
    token: {token}
"""


def _dbt_run(project: Path, home: Path, orders_seed: str) -> str:
    """`dbt build` reading the orders of `orders_seed`, then `dbt docs generate` (which writes
    its own run_results.json: the build's is kept aside first); the build's invocation id."""
    dbt = ["--project-dir", str(project), "--profiles-dir", str(home)]
    run_producer(
        ["dbt", "build", *dbt, "--vars", json.dumps({"orders_seed": orders_seed})],
        home,
        expect_failure=orders_seed == "raw_orders_bad",
    )
    results = project / "target" / "run_results.json"
    shutil.copy(results, home / "run_results.json")
    run_producer(["dbt", "docs", "generate", *dbt], home)
    invocation: str = json.loads((home / "run_results.json").read_text())["metadata"][
        "invocation_id"
    ]
    return invocation


def _upstreams(server: Server, urn: str) -> list[str]:
    response = httpx.get(
        f"{server.url}/aspects/{quote(urn, safe='')}?aspect=upstreamLineage&version=0",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200, response.text
    lineage = response.json()["aspect"]["com.linkedin.dataset.UpstreamLineage"]
    return [u["dataset"] for u in lineage["upstreams"]]


def _customer_id_check(seen: dict[str, Any]) -> dict[str, Any]:
    check: dict[str, Any]
    [check] = [
        a
        for a in seen["assertions"]["assertions"]
        if a["info"]["customAssertion"]["field"] == {"path": "customer_id"}
    ]
    return check


def test_a_failing_dbt_test_raises_an_incident_that_the_next_passing_run_resolves(
    server: Server, tmp_path: Path
) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT, project)
    (tmp_path / "profiles.yml").write_text(PROFILES.format(path=tmp_path / "shop.duckdb"))
    recipe = tmp_path / "recipe.yml"
    recipe.write_text(
        RECIPE.format(
            target=project / "target",
            run_results=tmp_path / "run_results.json",
            server=server.url,
            token=TOKEN,
        )
    )

    # Given an order without a customer, the not_null test on orders.customer_id fails.
    failing_run = _dbt_run(project, tmp_path, "raw_orders_bad")
    run_producer(["datahub", "ingest", "-c", str(recipe)], tmp_path)

    seen = graphql(server, CHECKED, {"urn": ORDERS})["dataset"]
    assert seen["assertions"]["total"] == 4  # the model's four dbt tests
    assert {a["platform"]["name"] for a in seen["assertions"]["assertions"]} == {"dbt"}
    check = _customer_id_check(seen)
    assert check["info"]["type"] == "CUSTOM"
    assert check["runEvents"]["runEvents"] == [
        {"runId": failing_run, "result": {"type": "FAILURE"}}
    ]
    assertions_health = [h for h in seen["health"] if h["type"] == "ASSERTIONS"]
    assert assertions_health == [
        {
            "type": "ASSERTIONS",
            "status": "FAIL",
            "message": "1 of 4 assertions are failing",
            "causes": [check["urn"]],
        }
    ]
    # The warehouse table's lineage to its model came as a PATCH, in the same batches.
    assert _upstreams(server, WAREHOUSE_ORDERS) == [ORDERS]
    [incident] = seen["incidents"]["incidents"]
    assert incident["source"] == {"type": "ASSERTION_FAILURE", "source": {"urn": check["urn"]}}
    assert incident["incidentType"] == "FIELD"
    assert incident["title"] == "not_null_orders_customer_id(customer_id) failed on orders"
    assert incident["status"]["state"] == "ACTIVE"
    assert f"failed in run {failing_run} at " in incident["status"]["message"]

    # When every order has its customer and dbt runs again, the next ingestion resolves it.
    passing_run = _dbt_run(project, tmp_path, "raw_orders_good")
    assert passing_run != failing_run
    run_producer(["datahub", "ingest", "-c", str(recipe)], tmp_path)

    seen = graphql(server, CHECKED, {"urn": ORDERS})["dataset"]
    assert _customer_id_check(seen)["runEvents"]["runEvents"] == [
        {"runId": passing_run, "result": {"type": "SUCCESS"}}
    ]
    assert [h["status"] for h in seen["health"]] == ["PASS", "PASS"]
    [resolved] = seen["incidents"]["incidents"]
    assert resolved["urn"] == incident["urn"]
    assert resolved["status"]["state"] == "RESOLVED"
    assert resolved["status"]["message"].startswith(
        f"Resolved: not_null_orders_customer_id(customer_id) passed in run {passing_run} at "
    )

    # And the same files ingested again change nothing: the runs are known already.
    run_producer(["datahub", "ingest", "-c", str(recipe)], tmp_path)
    again = graphql(server, CHECKED, {"urn": ORDERS})["dataset"]
    assert again["incidents"] == seen["incidents"]
