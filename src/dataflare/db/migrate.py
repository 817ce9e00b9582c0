"""Apply Alembic migrations, from the CLI or at server start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Several server processes may start at once on PostgreSQL: one migrates (and counts what only
# the services can count), the others wait on this advisory lock.
MIGRATION_LOCK_ID = 7_346_201


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


@dataclass(frozen=True)
class Migrated:
    """The schema revision before and after an upgrade; None before: a new, empty database."""

    before: str | None
    after: str | None


def upgrade(database_url: str) -> Migrated:
    """Bring the database to the newest schema, creating the SQLite file's folder if needed."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    config = alembic_config(database_url)
    command.upgrade(config, "head")
    return Migrated(config.attributes.get("revision_before"), config.attributes["revision_after"])
