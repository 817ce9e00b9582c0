"""Each asset's active-incident summary (count, newest, last activity), changed in the same
transaction as the incidents, so reading health or filtering on it never scans incidents."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import and_, bindparam, case, or_, select, update
from sqlalchemy.orm import Session

from dataflare.catalog import search_counts
from dataflare.catalog.models import ASSETS, Asset
from dataflare.catalog.search_counts import AssetState
from dataflare.db.commit import end_with
from dataflare.db.driver import DriverStatement
from dataflare.incidents.models import INCIDENT_ASSETS as LINKS


def lock(session: Session, asset_ids: Collection[int]) -> None:
    """Lock the assets' rows in id order, so concurrent changes queue rather than deadlock.
    (SQLite has one writer at a time already.)"""
    if asset_ids and session.get_bind().dialect.name != "sqlite":
        session.execute(
            select(Asset.id)
            .where(Asset.id.in_(sorted(asset_ids)))
            .order_by(Asset.id)
            # NO KEY UPDATE: does not conflict with the key-share locks that inserting
            # incident links (foreign keys to these rows) takes.
            .with_for_update(key_share=True)
        ).all()


# What the search counts need to know of an asset whose summary changed.
_COUNTED = (
    ASSETS.c.id,
    ASSETS.c.kind,
    ASSETS.c.platform,
    ASSETS.c.active_incidents,
    ASSETS.c.removed,
)


def _note_for_search(session: Session, rows: Iterable[Sequence[Any]], delta: int) -> None:
    """Tell the search counts how these assets stood before and after their count moved by
    `delta` (rows as _COUNTED, read after the move)."""
    search_counts.note_change(
        session,
        (
            (
                AssetState(
                    asset_id, kind, platform, active - delta > 0 and not removed, not removed
                ),
                AssetState(asset_id, kind, platform, active > 0 and not removed, not removed),
            )
            for asset_id, kind, platform, active, removed in rows
        ),
    )


_NEWER = or_(
    ASSETS.c.latest_incident_at.is_(None),
    ASSETS.c.latest_incident_at < bindparam("created_at"),
    and_(
        ASSETS.c.latest_incident_at == bindparam("created_at"),
        ASSETS.c.latest_incident_id < bindparam("incident_pk"),
    ),
)
_RAISED_UPDATE = (
    update(ASSETS)
    .where(ASSETS.c.id == bindparam("asset_id"))
    .values(
        active_incidents=ASSETS.c.active_incidents + 1,
        incidents_total=ASSETS.c.incidents_total + 1,
        latest_incident_id=case(
            (_NEWER, bindparam("incident_pk")), else_=ASSETS.c.latest_incident_id
        ),
        latest_incident_at=case(
            (_NEWER, bindparam("created_at")), else_=ASSETS.c.latest_incident_at
        ),
        # Forward only: a raise that read its clock before another's commit may commit after it.
        incidents_changed_at=case(
            (
                ASSETS.c.incidents_changed_at > bindparam("created_at"),
                ASSETS.c.incidents_changed_at,
            ),
            else_=bindparam("created_at"),
        ),
    )
)
_RAISED = DriverStatement(_RAISED_UPDATE.returning(*_COUNTED))
# On one asset, with the COMMIT: the search counts are then decided in SQL.
_RAISED_LAST = [DriverStatement(_RAISED_UPDATE), *search_counts.COUNTED_AFTER_RAISE]


def raised(session: Session, incident_id: int, asset_ids: Collection[int], created_at: int) -> None:
    """A new ACTIVE incident on these assets: one more incident, and the newest on each, unless
    a concurrent raise committed a newer one first. This locks the assets' rows until commit,
    so it comes last in a raise, and takes them in id order (as every change to incidents
    does). On one asset, in a transaction that ends with this raise (PostgreSQL), the update
    and the counts it moves go with the COMMIT: the row is held for no round trip."""
    if len(asset_ids) == 1:
        (asset_id,) = asset_ids
        params = {
            **search_counts.counted_after_raise_params(asset_id),
            "incident_pk": incident_id,
            "created_at": created_at,
        }
        if end_with(session, [(statement, params) for statement in _RAISED_LAST]):
            return
    connection = session.connection()
    rows = [
        row
        for asset_id in sorted(asset_ids)
        for row in _RAISED.rows(
            connection,
            {"asset_id": asset_id, "incident_pk": incident_id, "created_at": created_at},
        )
    ]
    _note_for_search(session, rows, +1)


_LINKED = DriverStatement(
    update(ASSETS)
    .where(ASSETS.c.id == bindparam("asset_id"))
    .values(incidents_total=ASSETS.c.incidents_total + 1)
)


def linked(session: Session, asset_ids: Collection[int]) -> None:
    """A new incident that is not active (raised RESOLVED): only the assets' totals move."""
    _LINKED.run_many(session.connection(), [{"asset_id": i} for i in sorted(asset_ids)])


def activated(session: Session, asset_ids: Collection[int], now: int) -> None:
    """An existing incident became ACTIVE on these assets (reopened, or assets added)."""
    _shift(session, asset_ids, +1, now)


def deactivated(session: Session, asset_ids: Collection[int], now: int) -> None:
    """An incident stopped being ACTIVE on these assets (resolved, or assets removed)."""
    _shift(session, asset_ids, -1, now)


def touched(session: Session, asset_ids: Collection[int], now: int) -> None:
    """Something else about an incident on these assets changed: only the activity time moves."""
    if asset_ids:
        session.connection().execute(
            update(ASSETS).where(ASSETS.c.id.in_(asset_ids)).values(incidents_changed_at=now)
        )


def _shift(session: Session, asset_ids: Collection[int], delta: int, now: int) -> None:
    if not asset_ids:
        return
    connection = session.connection()
    rows = connection.execute(
        update(ASSETS)
        .where(ASSETS.c.id.in_(asset_ids))
        .values(active_incidents=ASSETS.c.active_incidents + delta, incidents_changed_at=now)
        .returning(*_COUNTED)
    ).all()
    _note_for_search(session, rows, delta)
    # The newest active incident of each asset, from the links (whose state the change has
    # already written, with plain statements).
    for asset_id in asset_ids:
        newest = connection.execute(
            select(LINKS.c.incident_id, LINKS.c.created_at)
            .where(LINKS.c.asset_id == asset_id, LINKS.c.state == "ACTIVE")
            .order_by(LINKS.c.created_at.desc(), LINKS.c.incident_id.desc())
            .limit(1)
        ).first()
        connection.execute(
            update(ASSETS)
            .where(ASSETS.c.id == asset_id)
            .values(
                latest_incident_id=newest[0] if newest else None,
                latest_incident_at=newest[1] if newest else None,
            )
        )
