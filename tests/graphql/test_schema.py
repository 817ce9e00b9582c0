"""The printed schema is pinned: a change to the public API is always a visible diff.

After an intended change, refresh the snapshot with
    DATAFLARE_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/graphql/test_schema.py
"""

import os
from pathlib import Path

from graphql import GraphQLEnumType, print_schema

from dataflare.catalog.search_filters import KIND_OF_ENTITY_TYPE, NOT_HELD_ENTITY_TYPES
from dataflare.graphql.schema import build_schema

SNAPSHOT = Path(__file__).parent / "schema.snapshot.graphql"


def test_printed_schema_matches_the_snapshot() -> None:
    printed = print_schema(build_schema()) + "\n"
    if os.environ.get("DATAFLARE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(printed)
    assert printed == SNAPSHOT.read_text(), (
        "The GraphQL schema changed. If intended, run with DATAFLARE_UPDATE_SNAPSHOTS=1."
    )


def test_the_seed_signatures_are_kept() -> None:
    schema = build_schema()
    mutation = schema.mutation_type
    assert mutation is not None
    assert str(mutation.fields["raiseIncident"].type) == "String!"
    assert str(mutation.fields["updateIncidentStatus"].type) == "String"
    assert str(mutation.fields["updateIncidentStatus"].args["input"].type) == (
        "UpdateIncidentStatusInput!"
    )
    for kind in ("Dataset", "Chart", "Dashboard", "DataFlow", "DataJob"):
        printed = print_schema(schema).split(f"type {kind} implements Entity")[1]
        incidents = printed.split("incidents(")[1].split("): EntityIncidentsResult")[0]
        assert "start: Int = 0" in incidents
        assert "count: Int = 20" in incidents


def test_entity_type_names_every_type_datahub_does() -> None:
    """Each value is held (an asset kind, or another entity Dataflare keeps) or listed as not
    held, so a search for it answers nothing instead of failing."""
    enum = build_schema().type_map["EntityType"]
    assert isinstance(enum, GraphQLEnumType)
    held = {*KIND_OF_ENTITY_TYPE, "INCIDENT", "CORP_USER", "CORP_GROUP", "DATA_PLATFORM"}
    held |= {"ASSERTION", "ACCESS_TOKEN"}
    assert set(enum.values) == held | NOT_HELD_ENTITY_TYPES
    assert not held & NOT_HELD_ENTITY_TYPES
    assert len(enum.values) == 51  # DataHub's EntityType, value for value
