"""`dataflare ingest FILE`: a file as DataHub's file sink writes it, loaded all or nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from dataflare.catalog import lineage
from dataflare.catalog.service import get_asset, owners_of
from dataflare.db.database import Database
from dataflare.db.registry import Base
from dataflare.incidents.health import incident_health
from tests.e2e.server import DATAFLARE, dataflare_env
from tests.ingest.mcps import dataset, file_mcp, mcp, ownership

EVENTS = dataset("kafka", "events")
ORDERS = dataset("hive", "orders")
JDOE = "urn:li:corpuser:jdoe"
INCIDENT = "urn:li:incident:file-1"
SNAPSHOT = {
    "proposedSnapshot": {
        "com.linkedin.pegasus2avro.metadata.snapshot.DatasetSnapshot": {
            "urn": ORDERS,
            "aspects": [
                {
                    "com.linkedin.pegasus2avro.dataset.DatasetProperties": {
                        "name": "orders",
                        "description": "From a snapshot.",
                        "customProperties": {},
                    }
                },
                {
                    "com.linkedin.pegasus2avro.dataset.UpstreamLineage": {
                        "upstreams": [{"dataset": EVENTS, "type": "TRANSFORMED"}]
                    }
                },
                {"com.linkedin.pegasus2avro.schema.SchemaMetadata": {"schemaName": "orders"}},
            ],
        }
    }
}
FILE = [
    mcp(EVENTS, "datasetProperties", {"name": "events", "description": "As JSON text."}),
    file_mcp(EVENTS, "ownership", {"owners": [{"owner": JDOE, "type": "DATAOWNER"}]}),
    SNAPSHOT,
    file_mcp(
        INCIDENT,
        "incidentInfo",
        {"type": "OPERATIONAL", "title": "Feed down", "entities": [EVENTS]},
    ),
    file_mcp(EVENTS, "browsePathsV2", {"path": []}),
]
SUMMARY = "7 proposals: 5 changed, 0 unchanged, 2 ignored (aspects Dataflare does not use)."
AGAIN = "7 proposals: 0 changed, 5 unchanged, 2 ignored (aspects Dataflare does not use)."


def ingest_file(home: Path, database_url: str, items: Any) -> subprocess.CompletedProcess[str]:
    """Write `items` (as JSON, or a string as it is) to a file and ingest it."""
    path = home / "metadata.json"
    path.write_text(items if isinstance(items, str) else json.dumps(items))
    return subprocess.run(
        [DATAFLARE, "ingest", str(path)],
        env=dataflare_env(home, database_url),
        capture_output=True,
        text=True,
    )


def rows(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def test_a_file_of_proposals_and_snapshots_is_loaded(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    done = ingest_file(tmp_path, database_url, FILE)

    assert done.returncode == 0, done.stderr
    assert SUMMARY in done.stderr
    with db.session() as session:
        events, orders = get_asset(session, EVENTS), get_asset(session, ORDERS)
        assert events is not None and orders is not None
        assert (events.name, events.description) == ("events", "As JSON text.")
        assert (orders.name, orders.description) == ("orders", "From a snapshot.")
        assert [(o.owner_urn, o.type) for o in owners_of(session, EVENTS)] == [(JDOE, "DATAOWNER")]
        assert [a.urn for a in lineage.neighbours(session, ORDERS, lineage.UPSTREAM)] == [EVENTS]
        health = incident_health(session, EVENTS)
        assert (health.status, health.latest_urn) == ("FAIL", INCIDENT)


def test_loading_the_same_file_twice_changes_nothing(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    first = ingest_file(tmp_path, database_url, FILE)
    after_first = rows(db)

    second = ingest_file(tmp_path, database_url, FILE)

    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    assert SUMMARY in first.stderr
    assert AGAIN in second.stderr
    assert rows(db) == after_first
    assert after_first["incident_activity"] == 1


CHART = "urn:li:chart:(looker,file.1)"
DASHBOARD = "urn:li:dashboard:(looker,file.2)"
FLOW = "urn:li:dataFlow:(airflow,file,prod)"
JOB = f"urn:li:dataJob:({FLOW},load)"
# One proposal of each kind Dataflare reads, as the first load has it...
EVERY_KIND = [
    file_mcp(EVENTS, "status", {"removed": False}),  # first: it registers the asset
    file_mcp(EVENTS, "datasetProperties", {"name": "events", "description": "Clicks."}),
    file_mcp(ORDERS, "editableDatasetProperties", {"description": "Edited."}),
    file_mcp(EVENTS, "ownership", {"owners": [{"owner": JDOE, "type": "DATAOWNER"}]}),
    file_mcp(ORDERS, "upstreamLineage", {"upstreams": [{"dataset": EVENTS}]}),
    file_mcp(JOB, "dataJobInputOutput", {"inputDatasets": [ORDERS], "outputDatasets": []}),
    file_mcp(CHART, "chartInfo", {"title": "Clicks", "inputs": [{"string": EVENTS}]}),
    file_mcp(DASHBOARD, "dashboardInfo", {"title": "Board", "charts": [CHART]}),
    file_mcp(JDOE, "corpUserInfo", {"displayName": "Jane Doe", "active": True}),
    file_mcp(INCIDENT, "incidentInfo", {"type": "OPERATIONAL", "entities": [EVENTS]}),
]
# ...and each one changed, in turn.
CHANGES = [
    file_mcp(EVENTS, "status", {"removed": True}),
    file_mcp(EVENTS, "datasetProperties", {"name": "events", "description": "Taps."}),
    file_mcp(ORDERS, "editableDatasetProperties", {"description": "Edited again."}),
    file_mcp(EVENTS, "ownership", {"owners": [{"owner": JDOE, "type": "TECHNICAL_OWNER"}]}),
    file_mcp(ORDERS, "upstreamLineage", {"upstreams": []}),
    file_mcp(JOB, "dataJobInputOutput", {"inputDatasets": [ORDERS], "outputDatasets": [EVENTS]}),
    file_mcp(CHART, "chartInfo", {"title": "Taps", "inputs": [{"string": EVENTS}]}),
    file_mcp(DASHBOARD, "dashboardInfo", {"title": "Board", "charts": []}),
    file_mcp(JDOE, "corpUserInfo", {"displayName": "Jane D.", "active": True}),
    file_mcp(INCIDENT, "incidentInfo", {"type": "OPERATIONAL", "entities": [EVENTS, ORDERS]}),
]


def summary(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_the_summary_counts_what_each_proposal_changed(database_url: str, tmp_path: Path) -> None:
    count = len(EVERY_KIND)
    first = summary(ingest_file(tmp_path, database_url, EVERY_KIND))
    assert first.startswith(f"{count} proposals: {count} changed, 0 unchanged, 0 ignored")

    for i, changed in enumerate(CHANGES):
        file = [*CHANGES[:i], changed, *EVERY_KIND[i + 1 :]]
        said = summary(ingest_file(tmp_path, database_url, file))
        what = f"{changed['aspectName']} of {changed['entityUrn']}"
        assert said.startswith(f"{count} proposals: 1 changed, {count - 1} unchanged"), what

    again = summary(ingest_file(tmp_path, database_url, CHANGES))
    assert again.startswith(f"{count} proposals: 0 changed, {count} unchanged, 0 ignored")


def test_a_delete_changes_an_asset_once_and_one_proposal_is_one(
    database_url: str, tmp_path: Path
) -> None:
    delete = {"entityType": "dataset", "entityUrn": EVENTS, "changeType": "DELETE",
              "aspectName": "datasetKey"}  # fmt: skip
    ingest_file(tmp_path, database_url, FILE)

    first = summary(ingest_file(tmp_path, database_url, [delete]))
    second = summary(ingest_file(tmp_path, database_url, [delete]))

    assert (
        first == "1 proposal: 1 changed, 0 unchanged, 0 ignored (aspects Dataflare does not use)."
    )
    assert second.startswith("1 proposal: 0 changed, 1 unchanged, 0 ignored")


BAD_FILES: list[tuple[Any, str]] = [
    ("{not json", "is not valid JSON"),
    ({"just": "an object"}, "metadata.json[0].entityUrn"),
    ([FILE[0], {**FILE[1], "aspect": {"value": "{"}}], "metadata.json[1].aspect.value"),
    ([FILE[0], ownership(EVENTS, "jdoe")], "aspect.owners[0].owner"),
    ([FILE[0], {"proposedSnapshot": {"DatasetSnapshot": []}}], "metadata.json[1].proposedSnapshot"),
]


@pytest.mark.parametrize(("content", "named"), BAD_FILES)
def test_a_bad_file_is_an_error_and_writes_nothing(
    database_url: str, db: Database, tmp_path: Path, content: Any, named: str
) -> None:
    before = rows(db)

    done = ingest_file(tmp_path, database_url, content)

    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert named in done.stderr
    assert "Traceback" not in done.stderr
    assert rows(db) == before


def test_a_missing_file_is_an_error(database_url: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [DATAFLARE, "ingest", str(tmp_path / "nowhere.json")],
        env=dataflare_env(tmp_path, database_url),
        capture_output=True,
        text=True,
    )

    assert done.returncode == 1
    assert "Error: No such file" in done.stderr


def test_hostile_text_in_a_file_or_an_argument_is_an_error(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    before = rows(db)
    nul = [{**FILE[0], "aspect": {"value": json.dumps({"name": "a\u0000b"})}}]
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(FILE))

    in_file = ingest_file(tmp_path, database_url, nul)
    as_user = subprocess.run(
        [DATAFLARE, "ingest", str(path), "--user", "x" * 400],
        env=dataflare_env(tmp_path, database_url),
        capture_output=True,
        text=True,
    )

    assert in_file.returncode == as_user.returncode == 1
    assert "metadata.json[0].aspect.value.name: NUL characters" in in_file.stderr
    assert as_user.stderr.startswith("Error: Invalid user name 'xxxx")
    assert rows(db) == before
