"""Every PostgreSQL connection Dataflare opens runs without JIT compilation (db/database.py),
and keeps it so through transactions rolled back; a figure's transaction plans each statement
for its own values (incidents/stats.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dataflare.db.database import Database
from dataflare.incidents.stats import incident_stats


def test_postgresql_connections_run_without_jit_and_figures_plan_for_their_values(
    database_url: str,
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("JIT and plan caching are PostgreSQL's")
    db = Database(database_url)
    try:
        with db.session() as session:
            assert session.scalar(text("SHOW jit")) == "off"
            assert session.scalar(text("SHOW plan_cache_mode")) == "auto"
            incident_stats(session, 0, 86_400_000)
            assert session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
        with db.session() as session:  # SET LOCAL ended with the figure's transaction
            assert session.scalar(text("SHOW plan_cache_mode")) == "auto"
            assert session.scalar(text("SHOW jit")) == "off"
    finally:
        db.dispose()
