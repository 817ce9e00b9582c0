"""Dedup keys. A pipeline raises the same failing check again and again; while the incident it
opened is active, raising with the same key on one of its assets finds that incident instead of
opening another. The key is copied to the incident's links, where a unique partial index allows
one active incident per asset and key."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSETS
from dataflare.core.clock import now_for
from dataflare.core.errors import Conflict
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
    session: Session,
    incident_id: int,
    locked_asset_ids: Collection[int],
    actor: str,
    message: str | None,
) -> str:
    """Record one more raise of an active incident in its timeline; return its URN.

    The raise holds the locks of its assets only, taken before it knew the incident; locking
    the incident's row now would invert the order of changes (incident, then assets) and could
    deadlock with them. So the incident row is left as it is, and the count is exact among
    repeats on the same asset (which queue on its lock)."""
    connection = session.connection()
    now = now_for(session.info)
    urn: str = connection.execute(
        select(INCIDENTS.c.urn).where(INCIDENTS.c.id == incident_id)
    ).scalar_one()
    earlier = connection.scalar(
        select(func.count())
        .select_from(ACTIVITY)
        .where(ACTIVITY.c.incident_id == incident_id, ACTIVITY.c.kind == RAISED_AGAIN)
    )
    count = (earlier or 0) + 2  # the first raise, the earlier repeats, and this one
    activity.record(
        session, incident_id, actor, now, RAISED_AGAIN, new={"count": count}, message=message
    )
    on_incident = connection.scalars(
        select(LINKS.c.asset_id).where(
            LINKS.c.incident_id == incident_id, LINKS.c.asset_id.in_(list(locked_asset_ids))
        )
    ).all()
    summary.touched(session, on_incident, now)
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
