"""Each incident's links also keep its type, priority and figure times (when it was resolved and
acknowledged), indexed by state and creation time, so that a filtered figure (a platform, an
owner, a type or priority) reads one index instead of looking each incident's assets up
(incidents/stats_filtered.py). The existing links are filled from their incidents.

An asset's links are also indexed with those facts (after the state, time and incident its
incident pages read), so that a filter on platforms, owners or assets reads its assets' links
from the index alone. The incidents' index of resolutions also holds their ids: the incidents
raised before a period and resolved since are then read from it alone on PostgreSQL (SQLite's
indexes hold the row id anyway): at 1,000,000 incidents, 19 ms where the table's scan took 180.

Revision ID: 0024_link_facts
Revises: 0023_incident_rollups
Create Date: 2026-12-03 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_link_facts"
down_revision = "0023_incident_rollups"
branch_labels = None
depends_on = None

COPIED: dict[str, sa.types.TypeEngine[int] | sa.types.TypeEngine[str]] = {
    "incident_type": sa.String(length=32),
    "priority": sa.Integer(),
    "resolved_at": sa.BigInteger(),
    "acknowledged_at": sa.BigInteger(),
}
BY_ASSET = ["asset_id", "state", "created_at", "incident_id"]
BY_ASSET_FACTS = ["priority", "incident_type", "resolved_at", "acknowledged_at"]
INDEX = (
    "state",
    "created_at",
    "priority",
    "incident_type",
    "asset_id",
    "incident_id",
    "resolved_at",
    "acknowledged_at",
)


RESOLVED_BEFORE = ["resolved_at", "created_at", "removed"]


def _resolutions(columns: list[str]) -> None:
    op.drop_index("ix_incidents_resolved", table_name="incidents")
    op.create_index("ix_incidents_resolved", "incidents", columns)


def _by_asset(columns: list[str]) -> None:
    op.drop_index("ix_incident_assets_state_newest", table_name="incident_assets")
    op.create_index("ix_incident_assets_state_newest", "incident_assets", columns)


def upgrade() -> None:
    for name, kind in COPIED.items():
        op.add_column("incident_assets", sa.Column(name, kind, nullable=True))
    columns = ", ".join(COPIED)
    op.execute(
        f"UPDATE incident_assets SET ({columns}) = (SELECT {columns} FROM incidents "
        "WHERE incidents.id = incident_assets.incident_id)"
    )
    op.create_index("ix_incident_assets_figures", "incident_assets", list(INDEX))
    _resolutions([*RESOLVED_BEFORE, "id"])
    _by_asset(BY_ASSET + BY_ASSET_FACTS)


def downgrade() -> None:
    _by_asset(BY_ASSET)
    _resolutions(RESOLVED_BEFORE)
    op.drop_index("ix_incident_assets_figures", table_name="incident_assets")
    for name in COPIED:  # plain DROP COLUMN: batch mode's copy of the table would lose its ties
        op.execute(f"ALTER TABLE incident_assets DROP COLUMN {name}")
