"""The incident indexes by time hold `removed` (migration 0022), so the figures count from the
indexes alone, and the index of resolutions the incidents' ids (migration 0024); down and up
again, each index has the columns it had."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from dataflare.core.config import Settings
from dataflare.db.database import Database
from dataflare.db.migrate import alembic_config

BEFORE, AFTER = "0021_lineage_without_keys", "0022_figures_from_indexes"
NAMES = ("ix_incidents_newest", "ix_incidents_state_newest", "ix_incidents_resolved")


def test_the_migration_adds_removed_to_each_index_and_takes_it_back(
    settings: Settings, db: Database
) -> None:
    with_removed = {
        "ix_incidents_newest": ["created_at", "id", "removed"],
        "ix_incidents_state_newest": ["state", "created_at", "id", "removed"],
        "ix_incidents_resolved": ["resolved_at", "created_at", "removed"],
    }
    at_head = {
        **with_removed,
        "ix_incidents_resolved": [*with_removed["ix_incidents_resolved"], "id"],
    }
    assert _columns(settings.database_url) == at_head

    config = alembic_config(settings.database_url)
    command.downgrade(config, BEFORE)
    try:
        assert _columns(settings.database_url) == {
            name: columns[:-1] for name, columns in with_removed.items()
        }
        command.upgrade(config, AFTER)
        assert _columns(settings.database_url) == with_removed
    finally:  # on PostgreSQL the run's other tests share this database: leave it whole
        command.upgrade(config, "head")
    assert _columns(settings.database_url) == at_head


def _columns(url: str) -> dict[str, list[str | None]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = inspect(connection).get_indexes("incidents")
        return {i["name"]: i["column_names"] for i in found if i["name"] in NAMES}
    finally:
        engine.dispose()
