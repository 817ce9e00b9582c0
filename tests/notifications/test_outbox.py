"""The outbox: a change and its notification commit together or not at all; only watched
changes notify; the server's own worker delivers what GraphQL and ingestion change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from dataflare.app import create_app
from dataflare.core.config import Settings
from dataflare.db.database import Database
from dataflare.events.models import NotificationEvent
from dataflare.notifications.worker import Worker
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE, UPDATE_STATUS
from tests.ingest.mcps import ingest, mcp
from tests.notifications.conftest import (
    KAFKA,
    ORDERS,
    make_config,
    raise_incident,
    set_state,
    update,
    write_webhook_settings,
)
from tests.notifications.receivers import Receiver


def events(db: Database) -> list[NotificationEvent]:
    with db.session() as session:
        return list(session.scalars(select(NotificationEvent).order_by(NotificationEvent.id)))


def test_a_rolled_back_raise_leaves_nothing_to_send(db: Database) -> None:
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), db.session(write=True) as session:
        from dataflare.incidents import service

        service.raise_incident(session, "urn:li:corpuser:x", service.RaiseRequest("SQL", ORDERS))
        raise Abandon

    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(NotificationEvent)) == 0


def test_each_watched_change_is_one_event_and_other_edits_none(db: Database) -> None:
    urn = raise_incident(db, priority="LOW")
    set_state(db, urn, "ACTIVE", message="still looking")  # a message alone
    update(db, urn, title="Orders are very late", description="Still not loaded.")
    update(db, urn, priority="HIGH", status={"state": "ACTIVE", "stage": "INVESTIGATION"})

    raised, changed = events(db)
    assert (raised.kind, changed.kind) == ("RAISED", "CHANGED")
    snapshot = json.loads(changed.payload)
    assert snapshot["changes"] == [
        {"field": "stage", "old": None, "new": "INVESTIGATION"},
        {"field": "priority", "old": "LOW", "new": "HIGH"},
    ]
    assert snapshot["incident"]["title"] == "Orders are very late"  # the incident as it now is
    assert json.loads(raised.payload)["incident"]["assets"] == [ORDERS]


def test_moving_an_incident_to_other_assets_is_an_event(db: Database) -> None:
    urn = raise_incident(db)
    update(db, urn, resource_urns=[KAFKA, ORDERS])

    changed = json.loads(events(db)[1].payload)
    assert changed["changes"] == [{"field": "assets", "old": [ORDERS], "new": [KAFKA, ORDERS]}]
    assert changed["incident"]["assets"] == [KAFKA, ORDERS]


def test_events_with_nowhere_to_go_are_dropped(db: Database) -> None:
    raise_incident(db)
    assert Worker(db, make_config({})).run_once() == 0
    assert events(db) == []


@pytest.fixture
def served(
    settings: Settings, db: Database, tmp_path: Path, receiver: Receiver
) -> Iterator[TestClient]:
    """The app with its own notification worker, sending to a webhook receiver."""
    write_webhook_settings(tmp_path, f"{receiver.url}/hook", poll_seconds=0.02)
    with TestClient(create_app(settings, db), raise_server_exceptions=False) as client:
        yield client


def test_the_server_delivers_changes_made_through_graphql(
    served: TestClient, receiver: Receiver
) -> None:
    gql = GraphQL(served)
    urn = gql.data(RAISE, {"input": {"type": "OPERATIONAL", "resourceUrn": ORDERS}})[
        "raiseIncident"
    ]
    gql.data(UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED", "message": "fixed"}})

    receiver.wait_for(lambda: len(receiver.to("/hook")) == 2)

    kinds = [(r.body["type"], r.body["incident"]["urn"]) for r in receiver.to("/hook")]
    assert kinds == [("incident.raised", urn), ("incident.changed", urn)]
    assert receiver.to("/hook")[1].body["actor"]["urn"] == "urn:li:corpuser:datahub"


def test_the_server_delivers_incidents_sent_as_metadata(
    served: TestClient, receiver: Receiver
) -> None:
    info = {"type": "FRESHNESS", "title": "late", "entities": [ORDERS]}
    ingest(served, mcp("urn:li:incident:mc-1", "incidentInfo", info))
    resolved = {**info, "status": {"state": "RESOLVED", "message": "loaded"}}
    ingest(served, mcp("urn:li:incident:mc-1", "incidentInfo", resolved))

    receiver.wait_for(lambda: len(receiver.to("/hook")) == 2)

    raised, changed = (r.body for r in receiver.to("/hook"))
    assert (raised["type"], raised["incident"]["urn"]) == (
        "incident.raised",
        "urn:li:incident:mc-1",
    )
    assert changed["changes"] == [{"field": "state", "old": "ACTIVE", "new": "RESOLVED"}]
