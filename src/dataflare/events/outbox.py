"""Writing events to the outbox, in the transaction of the incident change they describe."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from dataflare.db.driver import Write, driver_insert
from dataflare.events.models import EVENTS

RAISED = "RAISED"
CHANGED = "CHANGED"
# The changes people are told about; an edit of the title or description alone is not one.
WATCHED = ("state", "stage", "priority", "assignees", "assets")
DESCRIPTION_KEPT = 2000  # characters of the description carried in an event

# The key, in a session's `info`, that keeps the session's changes out of the outbox. Only code
# that writes history after the fact sets it, for its own transaction (the demo loader): no one
# is to be told about last month's incidents as if they were new. No surface sets it.
QUIET = "dataflare.quiet"

# On the raise path, so handed straight to the driver like the incident's own rows.
_INSERT = driver_insert(EVENTS, ["incident_id", "kind", "at", "actor", "payload"])


def incident_snapshot(
    *,
    urn: str,
    incident_type: str,
    custom_type: str | None,
    title: str | None,
    description: str | None,
    state: str,
    stage: str | None,
    priority: str | None,
    assets: list[str],
    assignees: list[str],
) -> dict[str, Any]:
    """The incident as an event carries it: what a message shows, as it was at the change."""
    return {
        "urn": urn,
        "type": incident_type,
        "customType": custom_type,
        "title": title,
        "description": None if description is None else description[:DESCRIPTION_KEPT],
        "state": state,
        "stage": stage,
        "priority": priority,
        "assets": assets,
        "assignees": assignees,
    }


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The watched fields that differ, as {field, old, new}."""
    return [
        {"field": name, "old": before[name], "new": after[name]}
        for name in WATCHED
        if before[name] != after[name]
    ]


def announced(info: Mapping[str, object]) -> bool:
    """Whether changes made in a session with this `info` go to the outbox (see QUIET)."""
    return not info.get(QUIET)


def record(
    connection: Connection,
    incident_id: int,
    kind: str,
    actor: str,
    at: int,
    incident: dict[str, Any],
    changes: list[dict[str, Any]] | None = None,
    message: str | None = None,
    later: list[Write] | None = None,
) -> None:
    """One plain insert; the worker finds the destinations later. With `later`, the write is
    appended there instead, for the caller to run (a raise may send it with the COMMIT)."""
    payload = {"incident": incident, "changes": changes or [], "message": message}
    params = {
        "incident_id": incident_id,
        "kind": kind,
        "at": at,
        "actor": actor,
        "payload": json.dumps(payload, separators=(",", ":")),
    }
    if later is not None:
        later.append((_INSERT, params))
    else:
        _INSERT.run(connection, params)
