"""Shared set-up for the notification tests: a small catalog with owners and lineage, settings
with fast retries, and a way to run the real worker until something happened."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dataflare.catalog import service as catalog
from dataflare.db.database import Database
from dataflare.incidents import service
from dataflare.notifications.config import NotificationConfig, parse
from dataflare.notifications.settings_file import Table
from dataflare.notifications.worker import Worker
from tests.notifications.receivers import Receiver

ORDERS = "urn:li:dataset:(urn:li:dataPlatform:snowflake,sales.orders,PROD)"
REVENUE = "urn:li:dataset:(urn:li:dataPlatform:snowflake,sales.revenue,PROD)"
DASHBOARD = "urn:li:dashboard:(looker,sales.overview)"
CHART = "urn:li:chart:(looker,sales.trend)"
FAR_CHART = "urn:li:chart:(looker,sales.far)"  # four hops down from ORDERS
KAFKA = "urn:li:dataset:(urn:li:dataPlatform:kafka,clicks,PROD)"
ACTOR = "urn:li:corpuser:jdoe"
FAST = {
    "backoff_seconds": 0.05,
    "max_backoff_seconds": 0.2,
    "poll_seconds": 0.02,
    "lease_seconds": 2,
    "max_attempts": 3,
    "timeout_seconds": 1,
}


def make_config(values: dict[str, Any], env: dict[str, str] | None = None) -> NotificationConfig:
    """Settings as the file would give them, with fast retries unless the test says otherwise."""
    values = {"public_url": "https://dataflare.example.com", **values}
    values["delivery"] = {**FAST, **values.get("delivery", {})}
    return parse(Table("notifications.toml", "", values), env or {})


def write_webhook_settings(home: Path, url: str, **delivery: float) -> None:
    """A settings file in `home` sending every event to one webhook endpoint, `url`."""
    lines = "\n".join(f"{key} = {value}" for key, value in delivery.items())
    (home / "notifications.toml").write_text(
        f'[[webhooks]]\nname = "ops"\nurl = "{url}"\nsecrets = ["s"]\n\n[delivery]\n{lines}\n'
    )


def user(name: str) -> str:
    return f"urn:li:corpuser:{name}"


def load_catalog(db: Database) -> None:
    """ORDERS feeds REVENUE, which feeds DASHBOARD, which feeds CHART, which feeds FAR_CHART."""
    with db.session(write=True) as session:
        catalog.set_properties(session, ORDERS, "orders", "Every order")
        catalog.upsert_actor(session, ACTOR, display_name="Jane Doe")
        catalog.upsert_actor(session, user("alice"), display_name="Alice", slack="UALICE1")
        catalog.upsert_actor(session, user("bob"), display_name="Bob", email="bob@example.com")
        catalog.upsert_actor(session, user("carol"), display_name="Carol", slack="UCAROL1")
        catalog.upsert_actor(session, user("dave"), display_name="Dave", slack="UDAVE1")
        catalog.upsert_actor(session, user("erin"), display_name="Erin", slack="UERIN1")
        catalog.upsert_actor(session, user("frank"), display_name="Frank", slack="UFRANK1")
        catalog.upsert_actor(session, "urn:li:corpGroup:finance", display_name="Finance")
        owned = {
            ORDERS: ["alice", "bob", "urn:li:corpGroup:finance"],
            REVENUE: ["carol", "alice"],
            DASHBOARD: ["dave"],
            CHART: ["erin", "dave"],
            FAR_CHART: ["frank"],
        }
        for asset, owners in owned.items():
            urns = [o if o.startswith("urn:") else user(o) for o in owners]
            catalog.set_owners(session, asset, [(o, "TECHNICAL_OWNER") for o in urns])
        chain = [ORDERS, REVENUE, DASHBOARD, CHART, FAR_CHART]
        for up, down in itertools.pairwise(chain):
            catalog.set_lineage(session, down, "upstreamLineage", [(up, down)])


def raise_incident(db: Database, asset: str = ORDERS, **fields: Any) -> str:
    request = service.RaiseRequest(
        type=fields.pop("type", "OPERATIONAL"),
        resource_urn=asset,
        title=fields.pop("title", "Orders are late"),
        description=fields.pop("description", "The nightly load did not finish."),
        **fields,
    )
    with db.session(write=True) as session:
        return service.raise_incident(session, ACTOR, request)


def set_state(db: Database, urn: str, state: str, message: str | None = None) -> None:
    with db.session(write=True) as session:
        service.update_status(session, ACTOR, urn, state, message=message)


def update(db: Database, urn: str, **changes: Any) -> None:
    with db.session(write=True) as session:
        service.update_incident(session, ACTOR, urn, changes)


def run_worker(worker: Worker, until: Callable[[], bool], timeout: float = 15.0) -> None:
    """Run the real worker, round after round, until `until()` holds."""
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not get there in time")
        if not worker.run_once():
            time.sleep(0.02)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running
