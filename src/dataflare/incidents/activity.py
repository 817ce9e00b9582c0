"""The append-only incident timeline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflare.db.driver import Write, driver_insert
from dataflare.incidents.models import INCIDENT_ACTIVITY as ACTIVITY
from dataflare.incidents.models import IncidentActivity

# The first entry of every timeline; the other kinds are named after the field that changed
# (IncidentActivityKind in the GraphQL schema lists them all).
RAISED = "RAISED"

# The session's info key naming how its changes come (MCP, for an agent's tool call): the
# surface that runs the change sets it, every timeline entry of the change carries it.
VIA = "dataflare.via"
MCP = "mcp"
METADATA = "metadata"  # an incidentInfo aspect, sent to the ingestion endpoints
CHANNELS = (MCP,)  # what a GraphQL client may say it acts through

_INSERT = driver_insert(
    ACTIVITY, ["incident_id", "at", "actor", "kind", "old_value", "new_value", "message", "via"]
)


def record(
    session: Session,
    incident_id: int,
    actor: str,
    at: int,
    kind: str,
    old: Any = None,
    new: Any = None,
    message: str | None = None,
    later: list[Write] | None = None,
) -> None:
    """Add one entry to an incident's timeline; with `later`, append the write there instead,
    for the caller to run (a raise may send it with the COMMIT: db/commit.end_with)."""
    write = (
        _INSERT,
        {
            "incident_id": incident_id,
            "at": at,
            "actor": actor,
            "kind": kind,
            "old_value": None if old is None else json.dumps(old),
            "new_value": None if new is None else json.dumps(new),
            "message": message,
            "via": session.info.get(VIA),
        },
    )
    if later is not None:
        later.append(write)
    else:
        _INSERT.run(session.connection(), write[1])


def timeline(session: Session, incident_id: int) -> list[IncidentActivity]:
    """Every entry of one incident, oldest first."""
    query = (
        select(IncidentActivity)
        .where(IncidentActivity.incident_id == incident_id)
        .order_by(IncidentActivity.id)
    )
    return list(session.scalars(query))


def timelines(session: Session, incident_ids: Sequence[int]) -> dict[int, list[IncidentActivity]]:
    """Incident id -> every entry of its timeline, oldest first."""
    query = (
        select(IncidentActivity)
        .where(IncidentActivity.incident_id.in_(incident_ids))
        .order_by(IncidentActivity.incident_id, IncidentActivity.id)
    )
    found: dict[int, list[IncidentActivity]] = {}
    for entry in session.scalars(query):
        found.setdefault(entry.incident_id, []).append(entry)
    return found
