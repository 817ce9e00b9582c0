"""Raising with a dedupKey through a real server: repeats, after resolving, all at once."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from dataflare.client import DataflareClient
from dataflare.db.database import Database
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS
from tests.client.conftest import TOKEN, LiveServer

RAISERS = 20


def test_repeated_raises_count_in_one_incident(sdk: DataflareClient, fresh_dataset: str) -> None:
    urns = [
        sdk.raise_incident(fresh_dataset, "VOLUME", dedup_key="rows", message=f"run {run}")
        for run in range(4)
    ]

    assert len(set(urns)) == 1
    assert sdk.list_incidents(fresh_dataset).total == 1
    repeats = [e for e in sdk.get(urns[0]).activity if e.kind == "RAISED_AGAIN"]
    assert [json.loads(e.new_value or "") for e in repeats] == [
        {"count": 2},
        {"count": 3},
        {"count": 4},
    ]
    assert [e.message for e in repeats] == ["run 1", "run 2", "run 3"]


def test_a_resolved_key_opens_a_new_incident(sdk: DataflareClient, fresh_dataset: str) -> None:
    first = sdk.raise_incident(fresh_dataset, "VOLUME", dedup_key="rows")
    sdk.resolve(first)

    second = sdk.raise_incident(fresh_dataset, "VOLUME", dedup_key="rows")

    assert second != first
    assert [i.urn for i in sdk.list_incidents(fresh_dataset, "ACTIVE").incidents] == [second]


def test_twenty_concurrent_raises_with_one_key_make_one_incident(
    live: LiveServer, fresh_dataset: str
) -> None:
    def raise_once(run: int) -> str:
        with DataflareClient(live.url, TOKEN) as client:
            return client.raise_incident(fresh_dataset, "SQL", dedup_key="same", message=str(run))

    with ThreadPoolExecutor(max_workers=RAISERS) as pool:
        urns = list(pool.map(raise_once, range(RAISERS)))

    assert len(set(urns)) == 1
    with DataflareClient(live.url, TOKEN) as client:
        assert client.list_incidents(fresh_dataset).total == 1
        assert client.health(fresh_dataset).active_incidents == 1
        timeline = client.get(urns[0]).activity
    assert len(timeline) == RAISERS
    counts = sorted(json.loads(e.new_value or "")["count"] for e in timeline[1:])
    assert counts == list(range(2, RAISERS + 1))


def test_the_database_refuses_a_second_active_incident_with_the_key(
    live: LiveServer, sdk: DataflareClient, fresh_dataset: str
) -> None:
    """What holds even for a writer that skips the service's lookup: the unique index."""
    sdk.raise_incident(fresh_dataset, "SQL", dedup_key="k")
    other = sdk.raise_incident(fresh_dataset, "SQL")
    database = Database(live.database_url)
    links = INCIDENT_ASSETS.c
    try:
        with pytest.raises(IntegrityError) as refused, database.session(write=True) as session:
            other_id = session.scalar(select(INCIDENTS.c.id).where(INCIDENTS.c.urn == other))
            session.execute(
                update(INCIDENT_ASSETS).where(links.incident_id == other_id).values(dedup_key="k")
            )
    finally:
        database.dispose()

    assert "ux_incident_assets_active_dedup" in str(refused.value) or (
        "UNIQUE constraint failed: incident_assets.asset_id, incident_assets.dedup_key"
        in str(refused.value)
    )


def test_raising_and_resolving_one_key_at_once_never_fails(
    live: LiveServer, fresh_dataset: str
) -> None:
    """A pipeline raising while another resolves: every call answers, none is an error."""

    def raise_or_resolve(run: int) -> str | None:
        with DataflareClient(live.url, TOKEN) as client:
            if run % 4 == 3:
                return client.resolve_by_dedup_key(fresh_dataset, "flaky")
            return client.raise_incident(fresh_dataset, "SQL", dedup_key="flaky")

    with ThreadPoolExecutor(max_workers=RAISERS) as pool:
        answers = list(pool.map(raise_or_resolve, range(4 * RAISERS)))

    assert all(a is None or a.startswith("urn:li:incident:") for a in answers)
    with DataflareClient(live.url, TOKEN) as client:
        assert client.list_incidents(fresh_dataset, "ACTIVE").total <= 1
