"""An incident's links to its assets and its assignees, written with plain statements (the raise
path runs them). The ORM's copies on a loaded incident are expired when replaced, so the next
read of `incident.assets` or `incident.assignees` sees the new rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSETS
from dataflare.db.driver import DriverStatement, Write, driver_insert
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENT_ASSIGNEES, Incident

# What each link copies of its incident: the asset's incident pages, the dedup index and the
# filtered figures (incidents/stats_filtered.py) read only the links.
COPIED = (
    "state",
    "created_at",
    "dedup_key",
    "incident_type",
    "priority",
    "resolved_at",
    "acknowledged_at",
)
Copied = Mapping[str, Any]  # column in COPIED -> the incident's value
_INSERT_LINKS = driver_insert(INCIDENT_ASSETS, ["incident_id", "asset_id", "position", *COPIED])
_INSERT_ASSIGNEES = driver_insert(
    INCIDENT_ASSIGNEES,
    ["incident_id", "assignee_urn", "position", "assigned_at", "assigned_by"],
)
Stamps = Mapping[str, tuple[int, str]]  # assignee URN -> (when, by whom) it was assigned
_MOVE_TOTAL = DriverStatement(
    update(ASSETS)
    .where(ASSETS.c.id == bindparam("asset_id"))
    .values(incidents_total=ASSETS.c.incidents_total + bindparam("delta"))
)


def copied_of(incident: Incident) -> dict[str, Any]:
    """What the incident's links copy of it, as it is now."""
    return {name: getattr(incident, name) for name in COPIED}


def asset_links(incident_id: int, asset_ids: Sequence[int], copied: Copied) -> list[Write]:
    """The writes linking an incident to its assets, in order, each with a copy of what COPIED
    names. The assets' totals are the caller's to move (a raise moves them last, with the
    summary)."""
    return [
        (_INSERT_LINKS, {"incident_id": incident_id, "asset_id": asset_id, "position": i, **copied})
        for i, asset_id in enumerate(asset_ids)
    ]


def add_assets(
    connection: Connection, incident_id: int, asset_ids: Sequence[int], copied: Copied
) -> None:
    """Link an incident to its assets now (`asset_links`, in one statement)."""
    writes = asset_links(incident_id, asset_ids, copied)
    _INSERT_LINKS.run_many(connection, [params for _statement, params in writes])


def copy_changes(connection: Connection, incident: Incident, before: Copied) -> None:
    """Copy to the incident's links what changed of it since `before` (`copied_of`)."""
    changed = {k: v for k, v in copied_of(incident).items() if before.get(k) != v}
    if changed:
        connection.execute(
            update(INCIDENT_ASSETS)
            .where(INCIDENT_ASSETS.c.incident_id == incident.id)
            .values(**changed)
        )


def add_assignees(
    connection: Connection,
    incident_id: int,
    urns: Sequence[str],
    stamps: Stamps,
    default: tuple[int, str],
) -> None:
    """Assign, in order; each assignee stamped as `stamps` says, else with `default`."""
    if urns:
        _INSERT_ASSIGNEES.run_many(
            connection,
            [
                {
                    "incident_id": incident_id,
                    "assignee_urn": urn,
                    "position": i,
                    "assigned_at": stamps.get(urn, default)[0],
                    "assigned_by": stamps.get(urn, default)[1],
                }
                for i, urn in enumerate(urns)
            ],
        )


def replace_assets(session: Session, incident: Incident, asset_ids: Sequence[int]) -> None:
    """Link the incident to these assets instead; the totals move only where the set changed,
    one asset at a time in id order (as every change to incidents locks assets)."""
    connection = session.connection()
    linked = connection.execute(
        select(INCIDENT_ASSETS.c.asset_id).where(INCIDENT_ASSETS.c.incident_id == incident.id)
    )
    moved = Counter(asset_ids)
    moved.subtract(asset_id for (asset_id,) in linked)
    connection.execute(delete(INCIDENT_ASSETS).where(INCIDENT_ASSETS.c.incident_id == incident.id))
    add_assets(connection, incident.id, asset_ids, copied_of(incident))
    changed = [{"asset_id": i, "delta": n} for i, n in sorted(moved.items()) if n]
    if changed:
        _MOVE_TOTAL.run_many(connection, changed)
    session.expire(incident, ["assets"])


def replace_assignees(
    session: Session,
    incident: Incident,
    urns: Sequence[str],
    stamps: Stamps,
    default: tuple[int, str],
) -> None:
    """Assign these instead: one still assigned keeps its stamp, unless `stamps` gives one."""
    connection = session.connection()
    table = INCIDENT_ASSIGNEES.c
    kept = {
        urn: (at, by)
        for urn, at, by in connection.execute(
            select(table.assignee_urn, table.assigned_at, table.assigned_by).where(
                table.incident_id == incident.id
            )
        )
        if at is not None and by is not None
    }
    connection.execute(delete(INCIDENT_ASSIGNEES).where(table.incident_id == incident.id))
    add_assignees(connection, incident.id, urns, {**kept, **stamps}, default)
    session.expire(incident, ["assignees"])


def set_state(connection: Connection, incident_id: int, state: str) -> None:
    """Copy a new state to the incident's links."""
    connection.execute(
        update(INCIDENT_ASSETS)
        .where(INCIDENT_ASSETS.c.incident_id == incident_id)
        .values(state=state)
    )


def move_totals(connection: Connection, deltas: dict[int, int]) -> None:
    """Move the assets' incident totals by these amounts (asset id -> delta), in id order."""
    changed = [{"asset_id": i, "delta": n} for i, n in sorted(deltas.items()) if n]
    if changed:
        _MOVE_TOTAL.run_many(connection, changed)
