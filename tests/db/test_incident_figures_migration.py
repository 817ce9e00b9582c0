"""Migration 0015 fills each incident's acknowledged, last-resolved and reopen figures from its
timeline: the same values the service keeps from then on, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from dataflare.core.config import Settings
from dataflare.db.database import Database
from dataflare.db.migrate import alembic_config
from tests.conftest import GraphQL
from tests.graphql.documents import KAFKA, RAISE, UPDATE_STATUS

BEFORE, AFTER = "0014_incident_search_and_via", "0015_incident_figures"
FACTS = "SELECT urn, acknowledged_at, resolved_at, reopen_count FROM incidents ORDER BY urn"


def _facts(db: Database) -> list[tuple[object, ...]]:
    with db.session() as session:
        return [tuple(row) for row in session.execute(text(FACTS))]


def test_the_migration_fills_what_the_service_keeps(
    settings: Settings, db: Database, gql: GraphQL
) -> None:
    plain = {"type": "SQL", "resourceUrn": KAFKA}
    assigned = {**plain, "assigneeUrns": ["urn:li:corpuser:ann"]}
    gql.data(RAISE, {"input": plain})  # never acknowledged, active
    done = gql.data(RAISE, {"input": assigned})["raiseIncident"]
    for state in ("RESOLVED", "ACTIVE", "RESOLVED"):
        gql.data(UPDATE_STATUS, {"urn": done, "input": {"state": state}})
    staged = gql.data(RAISE, {"input": plain})["raiseIncident"]
    gql.data(UPDATE_STATUS, {"urn": staged, "input": {"state": "ACTIVE", "stage": "TRIAGE"}})
    gql.data(
        UPDATE_STATUS,
        {"urn": staged, "input": {"state": "ACTIVE", "stage": "WORK_IN_PROGRESS"}},
    )
    reopened = gql.data(RAISE, {"input": plain})["raiseIncident"]
    for state in ("RESOLVED", "ACTIVE"):
        gql.data(UPDATE_STATUS, {"urn": reopened, "input": {"state": state}})
    kept = _facts(db)
    assert {row[3] for row in kept} == {0, 1}  # the timelines did reopen incidents
    assert sum(row[1] is not None for row in kept) == 2  # assigned, and past TRIAGE
    assert sum(row[2] is not None for row in kept) == 1  # resolved again after its reopen

    config = alembic_config(settings.database_url)
    command.downgrade(config, BEFORE)
    try:
        command.upgrade(config, AFTER)
        filled = _facts(db)
    finally:  # on PostgreSQL the run's other tests share this database: leave it whole
        command.upgrade(config, "head")

    assert filled == kept
