"""Alembic environment: runs migrations on the URL that dataflare.db.migrate passes in."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import text

from dataflare.db.database import make_engine
from dataflare.db.migrate import MIGRATION_LOCK_ID
from dataflare.db.registry import Base


def run_migrations_online() -> None:
    url = (
        context.config.attributes.get("database_url")
        or os.environ.get("DATAFLARE_DATABASE_URL")
        or context.config.get_main_option("sqlalchemy.url")
    )
    assert url, "no database URL: set DATAFLARE_DATABASE_URL"
    engine = make_engine(url)
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                # Read under the lock, for `dataflare db upgrade` to say what it did.
                migration = context.get_context()
                context.config.attributes["revision_before"] = migration.get_current_revision()
                context.run_migrations()
                context.config.attributes["revision_after"] = migration.get_current_revision()
            connection.commit()
        finally:
            if postgres:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID}
                )
                connection.commit()
    engine.dispose()


run_migrations_online()
