"""Assertions on the demo's orders table, sent through the ingestion API of a running server
as DataHub's dbt source would: a failing check (its failing run raises an incident), an erroring
one, a passing one, and one that never ran."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.assertions.documents import dataset_info, run

TOKEN = "checks-admin-token"
ORDERS = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.public.orders,PROD)"
FAILING = "urn:li:assertion:orders-total-positive"
ERRORING = "urn:li:assertion:orders-currency-known"
PASSING = "urn:li:assertion:orders-id-unique"
NEVER = "urn:li:assertion:orders-customer-set"
NAMES = {
    FAILING: "Order totals are never negative",
    ERRORING: "Currency codes are known",
    PASSING: "Order ids are unique",
    NEVER: "Every order has a customer",
}
T0 = 1_764_400_000_000  # 2025-11-29 07:06:40 UTC


def _info(urn: str, column: str) -> dict[str, Any]:
    proposal = dataset_info(urn, on=ORDERS, description=NAMES[urn])
    value = json.loads(proposal["aspect"]["value"])
    value["datasetAssertion"]["fields"] = [f"urn:li:schemaField:({ORDERS},{column})"]
    proposal["aspect"]["value"] = json.dumps(value)
    return proposal


def add_checks(url: str) -> None:
    proposals = [
        _info(FAILING, "total"),
        _info(ERRORING, "currency"),
        _info(PASSING, "id"),
        _info(NEVER, "customer"),
        run(T0, "SUCCESS", urn=PASSING, on=ORDERS, run_id="nightly-1"),
        run(T0 + 1_000, "ERROR", urn=ERRORING, on=ORDERS, run_id="nightly-1"),
        run(T0, "SUCCESS", urn=FAILING, on=ORDERS, run_id="nightly-1"),
        run(T0 + 86_400_000, "SUCCESS", urn=FAILING, on=ORDERS, run_id="nightly-2"),
    ]
    _send(url, proposals)
    # the newest run fails: an incident is raised on the orders table
    _send(
        url,
        [
            run(
                T0 + 2 * 86_400_000,
                "FAILURE",
                urn=FAILING,
                on=ORDERS,
                run_id="nightly-3",
                actualAggValue=-12.5,
            )
        ],
    )


def _send(url: str, proposals: list[dict[str, Any]]) -> None:
    response = httpx.post(
        f"{url}/aspects?action=ingestProposalBatch",
        json={"proposals": proposals},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
