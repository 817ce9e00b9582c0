"""The assets a batch of metadata names, loaded and (the new ones) registered in a few set-based
statements before the batch is applied, so that applying each proposal finds its asset without
a query of its own (catalog.service.known_assets). Kept in the session's info for the batch
only.

A setter says whether it changed anything, and registering an asset counts as a change; the
asset's first use in the batch, in the batch's order, reports the registration, as it would
have, had it registered the asset itself.

The owners and lineage a batch states are written at its end, a few statements for them all
(`write_unwritten`), or before anything reads them from the database meanwhile: one round trip
a proposal made PostgreSQL ingestion wait on the connection (bench/README.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from dataflare.catalog import owner_changes
from dataflare.catalog.models import ASSET_OWNERS, Asset
from dataflare.catalog.models import LINEAGE_EDGES as EDGES
from dataflare.core.errors import InvalidInput
from dataflare.core.urns import AssetRef, parse_asset
from dataflare.db.chunks import among, chunks

_KEY = "dataflare.known_assets"
CHUNK = 1000  # values per IN (...): PostgreSQL takes at most 65,535 parameters a statement


# An origin asset's lineage as one aspect states it: (origin id, aspect) -> (upstream, downstream)s
LineageKey = tuple[int, str]
Edges = set[tuple[int, int]]


@dataclass
class _Known:
    by_urn: dict[str, Asset] = field(default_factory=dict)
    unreported: set[str] = field(default_factory=set)  # registered here, not yet reported new
    # What the database holds for the known assets, kept up to date by the batch's writes:
    # owners as (owner URN, type) in order, and the lineage each (asset, aspect) states.
    owners: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    lineage: dict[LineageKey, Edges] | None = field(default_factory=dict)
    # Replaced in the batch, not yet written: the assets' owners, the (asset, aspect)s' lineage.
    owners_unwritten: set[int] = field(default_factory=set)
    lineage_unwritten: set[LineageKey] = field(default_factory=set)


def keep(session: Session, by_urn: dict[str, Asset], registered: Iterable[str]) -> None:
    """From now on (until `forget`), the session knows these assets, their owners and the lineage
    they state (two queries for them all); `registered` are those the batch registered itself."""
    ids = sorted(a.id for a in by_urn.values())
    owners: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    lineage: dict[LineageKey, Edges] = {}
    connection = session.connection()
    dialect = connection.dialect.name
    for chunk in chunks(ids, CHUNK):
        owned = connection.execute(
            select(ASSET_OWNERS.c.asset_id, ASSET_OWNERS.c.owner_urn, ASSET_OWNERS.c.type)
            .where(among(ASSET_OWNERS.c.asset_id, chunk, dialect))
            .order_by(ASSET_OWNERS.c.asset_id, ASSET_OWNERS.c.position)
        )
        for asset_id, owner, kind in owned:
            owners[asset_id].append((owner, kind))
        stated = connection.execute(
            select(
                EDGES.c.origin_id, EDGES.c.origin_aspect, EDGES.c.upstream_id, EDGES.c.downstream_id
            ).where(among(EDGES.c.origin_id, chunk, dialect))
        )
        for origin, aspect, up, down in stated:
            lineage.setdefault((origin, aspect), set()).add((up, down))
    session.info[_KEY] = _Known(by_urn, set(registered), owners, lineage)


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)


def registered_unused(session: Session, urn: str) -> bool:
    """Whether the batch registered this asset up front and nothing has used it yet: to the
    proposals so far, it does not exist."""
    known: _Known | None = session.info.get(_KEY)
    return known is not None and urn in known.unreported


def owners(session: Session, asset_id: int) -> list[tuple[str, str]] | None:
    """The asset's owners as the database holds them now, if the batch knows them."""
    known: _Known | None = session.info.get(_KEY)
    return None if known is None else known.owners.get(asset_id)


def owners_replaced_later(session: Session, asset_id: int, new: list[tuple[str, str]]) -> bool:
    """Note the asset's new owners, to be written with the batch's; False when the batch does
    not know the asset (the caller writes them now)."""
    known: _Known | None = session.info.get(_KEY)
    if known is None or asset_id not in known.owners:
        return False
    known.owners[asset_id] = new
    known.owners_unwritten.add(asset_id)
    return True


def lineage(session: Session, key: LineageKey) -> Edges | None:
    """The edges this (origin asset, aspect) states now, if the batch knows them."""
    known: _Known | None = session.info.get(_KEY)
    if known is None or known.lineage is None or key[0] not in known.owners:
        return None
    return known.lineage.get(key, set())


def lineage_replaced_later(session: Session, key: LineageKey, edges: Edges) -> bool:
    """Note the edges this (origin asset, aspect) now states, to be written with the batch's;
    False when the batch does not know them (the caller writes them now)."""
    known: _Known | None = session.info.get(_KEY)
    if known is None or known.lineage is None or key[0] not in known.owners:
        return False
    known.lineage[key] = edges
    known.lineage_unwritten.add(key)
    return True


def write_unwritten(session: Session) -> None:
    """Write the owners and lineage the batch replaced so far: per kind, one delete of the old
    rows (a thousand at a time) and one insert of the new ones, in id order (the order other
    writers lock them in)."""
    known: _Known | None = session.info.get(_KEY)
    if known is None or not (known.owners_unwritten or known.lineage_unwritten):
        return
    connection = session.connection()
    dialect = connection.dialect.name
    owned = sorted(known.owners_unwritten)
    known.owners_unwritten.clear()
    owner_changes.replacing(
        session, {asset_id: [owner for owner, _ in known.owners[asset_id]] for asset_id in owned}
    )
    for chunk in chunks(owned, CHUNK):
        connection.execute(
            delete(ASSET_OWNERS).where(among(ASSET_OWNERS.c.asset_id, chunk, dialect))
        )
    owner_rows = [
        {"asset_id": asset_id, "owner_urn": owner, "type": kind, "position": i}
        for asset_id in owned
        for i, (owner, kind) in enumerate(known.owners[asset_id])
    ]
    if owner_rows:
        connection.execute(insert(ASSET_OWNERS), owner_rows)
    stated = sorted(known.lineage_unwritten)
    known.lineage_unwritten.clear()
    lineage = known.lineage or {}
    for aspect in sorted({aspect for _, aspect in stated}):
        origins = [origin for origin, a in stated if a == aspect]
        for chunk in chunks(origins, CHUNK):
            stated_here = among(EDGES.c.origin_id, chunk, dialect)
            connection.execute(delete(EDGES).where(EDGES.c.origin_aspect == aspect, stated_here))
    edge_rows = [
        {"upstream_id": up, "downstream_id": down, "origin_id": origin, "origin_aspect": aspect}
        for origin, aspect in stated
        for up, down in sorted(lineage.get((origin, aspect), ()))
    ]
    if edge_rows:
        connection.execute(insert(EDGES), edge_rows)


def asset_forgotten(session: Session, asset_id: int) -> None:
    """An asset's owners and every edge naming it were deleted (after `write_unwritten`): what
    the batch knew of them is not to be trusted any more (edges other assets state may have
    gone too)."""
    known: _Known | None = session.info.get(_KEY)
    if known is not None:
        known.owners.pop(asset_id, None)
        known.lineage = None


def find(session: Session, urn: str) -> tuple[Asset, bool] | None:
    """The asset if the batch knows it, and whether this is the first use of an asset the batch
    registered; None when the batch does not know it (or there is no batch)."""
    known: _Known | None = session.info.get(_KEY)
    if known is None:
        return None
    asset = known.by_urn.get(urn)
    if asset is None:
        return None
    new = urn in known.unreported
    known.unreported.discard(urn)
    return asset, new


def asset_refs(urns: Iterable[str]) -> list[AssetRef]:
    """The asset URNs among these, parsed, each once; the others are left to the code that
    meets them (it says what is wrong with them)."""
    refs = {}
    for urn in urns:
        if urn in refs:
            continue
        try:
            refs[urn] = parse_asset(urn)
        except InvalidInput:
            continue
    return list(refs.values())


def load(session: Session, urns: Sequence[str]) -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    dialect = session.get_bind().dialect.name
    for chunk in chunks(urns, CHUNK):
        named = select(Asset).where(among(Asset.urn, chunk, dialect))
        found.update((a.urn, a) for a in session.scalars(named))
    return found
