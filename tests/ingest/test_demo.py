"""The demo's 90 days of incidents, loaded in-process: a history whose times are in order,
resolved, reopened and open incidents, no notifications for the past, and a second load that
changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataflare.access.roles import SERVER_SIDE
from dataflare.core.clock import AS_OF
from dataflare.db.base import Base
from dataflare.db.database import Database
from dataflare.events.models import NotificationEvent
from dataflare.events.outbox import QUIET
from dataflare.incidents import activity, service
from dataflare.incidents.models import Incident, IncidentActivity
from dataflare.ingest.apply import apply_all
from dataflare.ingest.demo import load_demo, sample
from dataflare.ingest.demo.history import DAY, HOUR
from dataflare.ingest.proposals import parse_items


def incidents(session: Session) -> list[Incident]:
    return list(session.scalars(select(Incident).order_by(Incident.id)))


def test_the_history_spans_90_days_with_resolved_reopened_and_open_incidents(
    db: Database,
) -> None:
    with db.session(write=True) as session:
        assert load_demo(session)

    with db.session() as session:
        found = incidents(session)
        timelines = activity.timelines(session, [i.id for i in found])
    history = [i for i in found if i.urn.startswith("urn:li:incident:demo-history-")]
    assert 300 <= len(history) <= 500
    newest = max(i.updated_at for i in found)
    assert newest - min(i.created_at for i in history) > 89 * DAY
    states = {i.state for i in history}
    assert states == {"ACTIVE", "RESOLVED"}
    assert 10 <= sum(i.state == "ACTIVE" for i in history) <= 60
    kinds = {e.kind for entries in timelines.values() for e in entries}
    assert {"RAISED", "RAISED_AGAIN", "ASSIGNEES", "STAGE", "STATE", "PRIORITY"} <= kinds
    reopened = [i for i in history if any(_is(e, "STATE", "ACTIVE") for e in timelines[i.id])]
    assert reopened and any(i.state == "RESOLVED" for i in reopened)
    assert len({i.incident_type for i in history}) == 7
    assert len({i.priority for i in history}) == 5  # four priorities and none


def test_every_timeline_is_in_time_order_and_matches_its_incident(db: Database) -> None:
    with db.session(write=True) as session:
        load_demo(session)

    with db.session() as session:
        found = incidents(session)
        timelines = activity.timelines(session, [i.id for i in found])
    for incident in found:
        entries = timelines[incident.id]
        times = [e.at for e in entries]
        assert entries[0].kind == "RAISED" and times[0] == incident.created_at, incident.urn
        assert times == sorted(times), incident.urn
        edits = [e.at for e in entries if e.kind != "RAISED_AGAIN"]  # a repeat leaves the row
        assert incident.updated_at == edits[-1], incident.urn
        assert incident.created_at <= incident.status_updated_at <= incident.updated_at
        assert incident.started_at <= incident.created_at
        resolutions = [e.at for e in entries if _is(e, "STATE", "RESOLVED")]
        if incident.state == "RESOLVED":
            assert resolutions and resolutions[-1] - incident.created_at >= 60_000
            assert incident.status_updated_at == resolutions[-1]
        for e in entries:  # a person acknowledges after the raise, minutes to days later
            if e.kind == "ASSIGNEES":
                assert 0 < e.at - incident.created_at < 7 * DAY


def test_the_first_demo_keeps_its_incidents_and_their_active_ones(db: Database) -> None:
    with db.session(write=True) as session:
        load_demo(session)

    with db.session() as session:
        late = service.get_incident(session, "urn:li:incident:demo-orders-late")
        schema = service.get_incident(session, "urn:li:incident:demo-kafka-schema")
        on_sample = session.scalars(
            select(Incident).where(Incident.urn.like("urn:li:incident:demo-%"))
        ).all()
        assert late is not None and schema is not None
        assert (late.state, late.stage, late.priority) == ("ACTIVE", "INVESTIGATION", 1)
        assert schema.state == "RESOLVED"
        assert schema.updated_at - schema.created_at == 3 * HOUR
        active = {i.urn for i in on_sample if i.state == "ACTIVE" and "history" not in i.urn}
        assert active == {
            "urn:li:incident:demo-orders-late",
            "urn:li:incident:demo-load-revenue-failed",
            "urn:li:incident:demo-dashboard-numbers",
        }


def test_loading_the_history_notifies_no_one_and_later_changes_still_do(db: Database) -> None:
    with db.session(write=True) as session:
        load_demo(session)
        assert AS_OF not in session.info and QUIET not in session.info  # nothing left behind

    with db.session(write=True) as session:
        assert session.scalar(select(func.count()).select_from(NotificationEvent)) == 0
        service.raise_incident(
            session, "urn:li:corpuser:datahub", service.RaiseRequest(type="SQL", resource_urn=KAFKA)
        )
        assert session.scalar(select(func.count()).select_from(NotificationEvent)) == 1


def test_a_second_load_changes_nothing(db: Database) -> None:
    with db.session(write=True) as session:
        assert load_demo(session)
    before = snapshot(db)

    with db.session(write=True) as session:
        assert not load_demo(session)

    assert snapshot(db) == before


def test_a_database_with_the_first_demo_gets_the_rest(db: Database) -> None:
    with db.session(write=True) as session:  # what the first demo's loader wrote
        apply_all(session, SERVER_SIDE, parse_items(sample.CATALOG, "demo"))
        for request in [*sample.INCIDENTS, sample.RESOLVED]:
            service.raise_incident(session, "urn:li:corpuser:datahub", request)
    with db.session(write=True) as session:
        assert load_demo(session)

    with db.session() as session:
        assert len(incidents(session)) > 300
        assert service.get_incident(session, "urn:li:incident:demo-orders-late") is not None


KAFKA = "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"


def snapshot(db: Database) -> dict[str, Any]:
    """Every table's rows, as they are."""
    with db.session() as session:
        return {
            name: sorted(tuple(map(str, row)) for row in session.execute(select(table)))
            for name, table in Base.metadata.tables.items()
        }


def _is(entry: IncidentActivity, kind: str, state: str) -> bool:
    return entry.kind == kind and entry.new_value == f'"{state}"'
