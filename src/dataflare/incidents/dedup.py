"""Dedup keys. A pipeline raises the same failing check again and again; while the incident it
opened is active, raising with the same key on one of its assets finds that incident instead of
opening another. The key is copied to the incident's links, where a unique partial index allows
one active incident per asset and key."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSETS
from dataflare.errors import Conflict
from dataflare.incidents import activity, summary
from dataflare.incidents.models import INCIDENT_ACTIVITY as ACTIVITY
from dataflare.incidents.models import INCIDENT_ASSETS as LINKS
from dataflare.incidents.models import INCIDENTS

# A timeline entry: the same key was raised again; its new value holds how many raises so far.
RAISED_AGAIN = "RAISED_AGAIN"


def find_active(
    connection: Connection, asset_ids: Collection[int], key: str, besides: int | None = None
) -> int | None:
    """The id of the active incident holding `key` on one of these assets, if any."""
    query = select(LINKS.c.incident_id).where(
        LINKS.c.asset_id.in_(list(asset_ids)),
        LINKS.c.state == "ACTIVE",
        LINKS.c.dedup_key == key,
    )
    if besides is not None:
        query = query.where(LINKS.c.incident_id != besides)
    found: int | None = connection.scalar(query.order_by(LINKS.c.incident_id).limit(1))
    return found


def find_active_urn(session: Session, asset_urn: str, key: str) -> str | None:
    """The URN of the active incident holding `key` on this asset, if any."""
    asset_id = session.scalar(select(ASSETS.c.id).where(ASSETS.c.urn == asset_urn))
    if asset_id is None:
        return None
    incident_id = find_active(session.connection(), [asset_id], key)
    if incident_id is None:
        return None
    urn: str | None = session.scalar(select(INCIDENTS.c.urn).where(INCIDENTS.c.id == incident_id))
    return urn


def raised_again(
    session: Session, incident_id: int, actor: str, now: int, message: str | None
) -> str:
    """Record one more raise of an active incident; return its URN. Nothing else changes."""
    connection = session.connection()
    # Updating the row first locks it: repeats of one incident count one after the other.
    urn: str = connection.execute(
        update(INCIDENTS)
        .where(INCIDENTS.c.id == incident_id)
        .values(updated_at=now)
        .returning(INCIDENTS.c.urn)
    ).scalar_one()
    earlier = connection.scalar(
        select(func.count())
        .select_from(ACTIVITY)
        .where(ACTIVITY.c.incident_id == incident_id, ACTIVITY.c.kind == RAISED_AGAIN)
    )
    count = (earlier or 0) + 2  # the first raise, the earlier repeats, and this one
    activity.record(
        connection, incident_id, actor, now, RAISED_AGAIN, new={"count": count}, message=message
    )
    asset_ids = connection.scalars(
        select(LINKS.c.asset_id).where(LINKS.c.incident_id == incident_id)
    ).all()
    summary.touched(session, asset_ids, now)
    return urn


def check_free(
    connection: Connection, incident_id: int, key: str, asset_ids: Collection[int]
) -> None:
    """Refuse to make an incident active on assets where another active one holds its key."""
    other = find_active(connection, asset_ids, key, besides=incident_id)
    if other is not None:
        urn = connection.scalar(select(INCIDENTS.c.urn).where(INCIDENTS.c.id == other))
        raise Conflict(
            f"Incident {urn} is already active with dedup key '{key}' on the same asset; "
            "resolve it first."
        )
