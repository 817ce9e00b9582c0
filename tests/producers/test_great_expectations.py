"""Great Expectations with DataHub's validation action (acryl-datahub-gx-plugin) sending to a
real Dataflare server: a failing expectation raises an incident on the table, and the next
checkpoint run, where it passes, resolves it."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from tests.e2e.server import Server
from tests.producers.conftest import CHECKED, TOKEN, graphql, needs_producers, run_producer

pytestmark = needs_producers

CHECKPOINT = Path(__file__).parent / "gx_checkpoint.py"
ORDERS = "urn:li:dataset:(urn:li:dataPlatform:sqlite,shop.orders,PROD)"
CHECK = "expect_column_values_to_not_be_null(customer_id)"


def _checkpoint(server: Server, home: Path, database: Path) -> dict[str, Any]:
    done = run_producer(
        ["python", str(CHECKPOINT), str(database)],
        home,
        DATAFLARE_URL=server.url,
        DATAFLARE_TOKEN=TOKEN,
    )
    ran: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return ran


def test_a_failing_expectation_raises_an_incident_that_the_next_passing_run_resolves(
    server: Server, tmp_path: Path
) -> None:
    database = tmp_path / "shop.db"
    with closing(sqlite3.connect(database)) as shop, shop:
        shop.execute("CREATE TABLE orders (order_id INTEGER, customer_id INTEGER)")
        shop.executemany("INSERT INTO orders VALUES (?, ?)", [(1, 10), (2, None), (3, 12)])

    # Given an order without a customer, the expectation fails.
    assert _checkpoint(server, tmp_path, database) == {"success": False}

    seen = graphql(server, CHECKED, {"urn": ORDERS})["dataset"]
    [check] = seen["assertions"]["assertions"]
    assert check["platform"] == {"name": "great-expectations"}
    assert check["info"] == {
        "type": "CUSTOM",
        "customAssertion": {"type": "greatExpectations", "field": {"path": "customer_id"}},
    }
    [failing] = check["runEvents"]["runEvents"]
    assert failing["result"] == {"type": "FAILURE"}
    [incident] = seen["incidents"]["incidents"]
    assert incident["source"] == {"type": "ASSERTION_FAILURE", "source": {"urn": check["urn"]}}
    assert incident["incidentType"] == "FIELD"
    assert incident["title"] == f"{CHECK} failed on shop.orders"
    assert incident["status"]["state"] == "ACTIVE"
    assert f"failed in run {failing['runId']} at " in incident["status"]["message"]

    # When the order gets its customer and the checkpoint runs again, the incident is resolved.
    with closing(sqlite3.connect(database)) as shop, shop:
        shop.execute("UPDATE orders SET customer_id = 11 WHERE order_id = 2")
    assert _checkpoint(server, tmp_path, database) == {"success": True}

    seen = graphql(server, CHECKED, {"urn": ORDERS})["dataset"]
    [check] = seen["assertions"]["assertions"]
    [passing] = check["runEvents"]["runEvents"]
    assert passing["result"] == {"type": "SUCCESS"}
    [resolved] = seen["incidents"]["incidents"]
    assert resolved["urn"] == incident["urn"]
    assert resolved["status"]["state"] == "RESOLVED"
    assert resolved["status"]["message"].startswith(
        f"Resolved: {CHECK} passed in run {passing['runId']} at "
    )
    assert [h["status"] for h in seen["health"]] == ["PASS", "PASS"]
