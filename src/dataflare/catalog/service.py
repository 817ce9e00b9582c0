"""Catalog rules: registering assets and recording what the metadata says about them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataflare.catalog import known, owner_changes, search_counts, stored_aspects
from dataflare.catalog.models import ASSET_OWNERS, ASSETS, LINEAGE_EDGES, Actor, Asset, AssetOwner
from dataflare.catalog.queries import AssetView
from dataflare.core.clock import now_for
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import (
    MAX_ACTOR_FIELD_CHARS,
    MAX_DESCRIPTION_BYTES,
    MAX_NAME_CHARS,
    MAX_OWNERSHIP_TYPE_CHARS,
)
from dataflare.core.text import check_bytes, check_text
from dataflare.core.urns import AssetRef, parse_actor, parse_asset
from dataflare.db.chunks import among, chunks
from dataflare.db.driver import DriverStatement, driver_insert

OWNERSHIP_TYPES_DEFAULT = "TECHNICAL_OWNER"
_IDS_BY_URN = select(ASSETS.c.urn, ASSETS.c.id).where(
    ASSETS.c.urn.in_(bindparam("urns", expanding=True))
)
# Owners and lineage, written by each proposal of a batch of metadata.
_DELETE_OWNERS = DriverStatement(
    delete(ASSET_OWNERS).where(ASSET_OWNERS.c.asset_id == bindparam("asset_id"))
)
_INSERT_OWNER = driver_insert(ASSET_OWNERS, ["asset_id", "owner_urn", "type", "position"])
_STATED_BY = (LINEAGE_EDGES.c.origin_id == bindparam("origin_id")) & (
    LINEAGE_EDGES.c.origin_aspect == bindparam("origin_aspect")
)
_EDGES_STATED = DriverStatement(
    select(LINEAGE_EDGES.c.upstream_id, LINEAGE_EDGES.c.downstream_id).where(_STATED_BY)
)
_DELETE_EDGES_STATED = DriverStatement(delete(LINEAGE_EDGES).where(_STATED_BY))
_INSERT_EDGE = driver_insert(
    LINEAGE_EDGES, ["upstream_id", "downstream_id", "origin_id", "origin_aspect"]
)
_ID_BY_URN = DriverStatement(select(ASSETS.c.id).where(ASSETS.c.urn == bindparam("urn")))
_VIEW_BY_URN = DriverStatement(
    select(
        ASSETS.c.kind,
        ASSETS.c.platform,
        ASSETS.c.name,
        ASSETS.c.description,
        ASSETS.c.removed,
        ASSETS.c.id,
        ASSETS.c.active_incidents,
        ASSETS.c.incidents_total,
        ASSETS.c.deleted_at,
    ).where(ASSETS.c.urn == bindparam("urn"))
)
# The assets this statement registered come back; those another writer registered first do not.
_REGISTER = {
    name: dialect.insert(ASSETS)
    .on_conflict_do_nothing(index_elements=["urn"])
    .returning(ASSETS.c.id, ASSETS.c.urn)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def get_asset(session: Session, urn: str) -> Asset | None:
    return session.scalars(select(Asset).where(Asset.urn == urn)).one_or_none()


def ensure_asset_ids(session: Session, refs: Sequence[AssetRef]) -> list[int]:
    """The ids of these assets, registering those not seen before (safe under concurrent
    writers), in the order given. Plain statements, built once: raising an incident runs this."""
    if not refs:
        return []
    connection = session.connection()
    urns = list(dict.fromkeys(r.urn for r in refs))
    if len(urns) == 1:  # the common case, the fastest way
        found = _ID_BY_URN.scalar(connection, {"urn": urns[0]})
        ids: dict[str, int] = {} if found is None else {urns[0]: found}
    else:
        ids = dict(connection.execute(_IDS_BY_URN, {"urns": urns}).all())
    missing = [r for r in {r.urn: r for r in refs}.values() if r.urn not in ids]
    if missing:
        ids.update(register(session, missing))
    return [ids[r.urn] for r in refs]


def register(session: Session, refs: Sequence[AssetRef]) -> dict[str, int]:
    """Register these assets, each once, found missing just before; their ids by URN, those
    another writer registered meanwhile included."""
    connection = session.connection()
    now = now_for(session.info)
    registered = connection.execute(
        _REGISTER[connection.dialect.name],
        [
            {
                "urn": r.urn,
                "kind": r.kind,
                "platform": r.platform,
                "name": r.name,
                "created_at": now,
            }
            for r in refs
        ],
    ).all()
    refs_by_urn = {r.urn: r for r in refs}
    search_counts.note_registered(
        session, [(i, refs_by_urn[urn].kind, refs_by_urn[urn].platform) for i, urn in registered]
    )
    ids = {urn: asset_id for asset_id, urn in registered}
    # Those another writer registered first did not come back: read them. A batch of metadata
    # may name more of them than one statement takes parameters.
    taken = [r.urn for r in refs if r.urn not in ids]
    for chunk in chunks(taken):
        named = among(ASSETS.c.urn, chunk, connection.dialect.name)
        ids.update(connection.execute(select(ASSETS.c.urn, ASSETS.c.id).where(named)).all())
    return ids


def ensure_assets(session: Session, refs: Sequence[AssetRef]) -> list[Asset]:
    """Like ensure_asset_ids, as loaded rows."""
    found_here = [known.find(session, r.urn) for r in refs]
    if all(found_here):
        return [asset for asset, _new in filter(None, found_here)]
    ids = ensure_asset_ids(session, refs)
    found = {a.id: a for a in session.scalars(select(Asset).where(Asset.id.in_(set(ids))))}
    return [found[i] for i in ids]


def ensure_asset(session: Session, urn: str) -> Asset:
    return ensure_assets(session, [parse_asset(urn)])[0]


@contextmanager
def known_assets(
    session: Session, urns: Iterable[str], owners_stated: Iterable[str] = ()
) -> Iterator[None]:
    """Within the block, the assets with these URNs are found without a query by the setters
    below, those not seen before registered up front, in a few statements for them all (a batch
    of metadata runs in one). The assets of `owners_stated` (among them) may have their owners
    replaced: they are noted for the search counts up front, all at once."""
    refs = known.asset_refs(urns)
    by_urn = known.load(session, [r.urn for r in refs])
    missing = [r for r in refs if r.urn not in by_urn]
    if missing:
        register(session, missing)  # `load` just found them missing: no second look first
        by_urn.update(known.load(session, [r.urn for r in missing]))
    known.keep(session, by_urn, (r.urn for r in missing))
    owned = sorted({by_urn[urn].id for urn in owners_stated if urn in by_urn})
    if owned:
        before = {i: [owner for owner, _ in known.owners(session, i) or []] for i in owned}
        search_counts.note_assets(session, owned, owners_change=True, owners_before=before)
    try:
        yield
        known.write_unwritten(session)
    finally:
        known.forget(session)


def asset_to_change(session: Session, urn: str) -> tuple[Asset, bool]:
    """The asset, registered if need be, and whether it is new: registering is a change too.
    The setters below say whether they changed anything, so that loading the same metadata
    again can be told apart from new metadata."""
    found = known.find(session, urn)
    if found is None:
        existing = get_asset(session, urn)
        found = (existing, False) if existing is not None else (ensure_asset(session, urn), True)
    asset, new = found
    if asset.deleted_at is not None:  # named again after a hard delete: a new start
        asset.deleted_at = None
        asset.removed = False
        search_counts.note_assets(session, [asset.id])
        return asset, True
    return asset, new


def set_properties(session: Session, urn: str, name: str | None, description: str | None) -> bool:
    """Name and description from a properties aspect; a missing name keeps the URN's."""
    asset, changed = asset_to_change(session, urn)
    if name and name.strip():
        changed |= asset.name != name.strip()[:MAX_NAME_CHARS]
        asset.name = name.strip()[:MAX_NAME_CHARS]
    description = check_description(description)
    changed |= asset.description != description
    asset.description = description
    return changed


def check_description(description: str | None) -> str | None:
    if description is None:
        return None
    return check_bytes(description, "aspect.description", MAX_DESCRIPTION_BYTES)


def set_description(session: Session, urn: str, description: str) -> bool:
    """The description from an editable properties aspect."""
    asset, changed = asset_to_change(session, urn)
    checked = check_description(description)
    changed |= asset.description != checked
    asset.description = checked
    return changed


def set_removed(session: Session, urn: str, removed: bool) -> bool:
    """Soft delete (or restore): out of search, incidents kept."""
    asset, new = asset_to_change(session, urn)
    search_counts.note_assets(session, [asset.id])  # it may leave or join their search
    was_removed = asset.removed
    asset.removed = removed
    return new or was_removed != removed


def set_owners(session: Session, urn: str, owners: Sequence[tuple[str, str]]) -> bool:
    """Replace an asset's owners with (owner urn, ownership type) pairs, in order."""
    asset, new = asset_to_change(session, urn)
    unique = {
        parse_actor(owner): check_text(kind, "aspect.owners.type", MAX_OWNERSHIP_TYPE_CHARS)
        or OWNERSHIP_TYPES_DEFAULT
        for owner, kind in owners
    }
    wanted = list(unique.items())
    current = known.owners(session, asset.id)
    if current is None:
        current = _owners(session, asset.id)
    if not new and current == wanted:
        return False
    search_counts.note_assets(session, [asset.id], owners_change=True)
    if known.owners_replaced_later(session, asset.id, wanted):  # with the batch's, at its end
        return True
    # Plain statements: the session holds no object for an owner row (none to keep in step).
    connection = session.connection()
    owner_changes.replacing(session, {asset.id: [owner for owner, _ in wanted]})
    if current:
        _DELETE_OWNERS.run(connection, {"asset_id": asset.id})
    if wanted:
        _INSERT_OWNER.run_many(
            connection,
            [
                {"asset_id": asset.id, "owner_urn": owner, "type": kind, "position": i}
                for i, (owner, kind) in enumerate(wanted)
            ],
        )
    return True


def _owners(session: Session, asset_id: int) -> list[tuple[str, str]]:
    rows = session.connection().execute(
        select(ASSET_OWNERS.c.owner_urn, ASSET_OWNERS.c.type)
        .where(ASSET_OWNERS.c.asset_id == asset_id)
        .order_by(ASSET_OWNERS.c.position)
    )
    return [(owner, kind) for owner, kind in rows]


def set_lineage(
    session: Session, origin_urn: str, aspect: str, edges: Iterable[tuple[str, str]]
) -> bool:
    """Replace the (upstream, downstream) edges that one aspect of one asset states."""
    origin, new = asset_to_change(session, origin_urn)
    pairs = list(dict.fromkeys(edges))
    refs = {urn: parse_asset(urn) for pair in pairs for urn in pair}
    ids = {a.urn: a.id for a in ensure_assets(session, list(refs.values()))}
    wanted = {(ids[up], ids[down]) for up, down in pairs if up != down}
    connection = session.connection()
    current = known.lineage(session, (origin.id, aspect))
    stated = {"origin_id": origin.id, "origin_aspect": aspect}
    if current is None:
        current = {(up, down) for up, down in _EDGES_STATED.rows(connection, stated)}
    if not new and current == wanted:
        return False
    if known.lineage_replaced_later(session, (origin.id, aspect), wanted):
        return True
    # Plain statements, as for owners: no object of the session stands for an edge.
    if current:
        _DELETE_EDGES_STATED.run(connection, stated)
    if wanted:
        _INSERT_EDGE.run_many(
            connection,
            [
                {
                    "upstream_id": up,
                    "downstream_id": down,
                    "origin_id": origin.id,
                    "origin_aspect": aspect,
                }
                for up, down in sorted(wanted)
            ],
        )
    return True


def delete_asset(session: Session, urn: str) -> bool:
    """Forget an asset's metadata (owners, lineage, description) and hide it; its incidents and
    their history stay. False when that changed nothing: the asset was never known, or is
    already forgotten."""
    if known.registered_unused(session, urn):  # registered for a later proposal of the batch
        return False
    asset = get_asset(session, urn)
    if asset is None:
        return False
    known.write_unwritten(session)  # so that the deletes below reach what the batch stated
    search_counts.note_assets(session, [asset.id], owners_change=True)
    removed = asset.removed
    connection = session.connection()
    owner_changes.replacing(session, {asset.id: []})
    owners = connection.execute(delete(ASSET_OWNERS).where(ASSET_OWNERS.c.asset_id == asset.id))
    edges = connection.execute(
        delete(LINEAGE_EDGES).where(
            (LINEAGE_EDGES.c.upstream_id == asset.id)
            | (LINEAGE_EDGES.c.downstream_id == asset.id)
            | (LINEAGE_EDGES.c.origin_id == asset.id)
        )
    )
    known.asset_forgotten(session, asset.id)
    deleted = owners.rowcount + edges.rowcount + stored_aspects.forget(session, urn)
    changed = bool(deleted) or asset.description is not None or not removed
    asset.description = None
    asset.removed = True
    if asset.deleted_at is None:
        asset.deleted_at = now_for(session.info)
    return changed


def upsert_actor(session: Session, urn: str, **fields: str | None) -> bool:
    """Record what the metadata says about a user or group; fields not given are kept."""
    parse_actor(urn)
    known = {"display_name", "email", "slack", "title"}
    unknown = set(fields) - known
    if unknown:
        raise InvalidInput(f"Unknown actor fields: {', '.join(sorted(unknown))}")
    actor = session.get(Actor, urn)
    changed = actor is None
    if actor is None:
        actor = Actor(urn=urn)
        session.add(actor)
    for name, value in fields.items():
        limit = MAX_ACTOR_FIELD_CHARS
        checked = None if value is None else check_text(value, f"aspect.{name}", limit)
        changed |= getattr(actor, name) != checked
        setattr(actor, name, checked)
    return changed


def owners_of(session: Session, urn: str) -> list[AssetOwner]:
    known.write_unwritten(session)  # a batch's owners so far count (an assertion's assignees)
    return list(
        session.scalars(
            select(AssetOwner)
            .join(Asset, Asset.id == AssetOwner.asset_id)
            .where(Asset.urn == urn)
            .order_by(AssetOwner.position)
        )
    )


def owners_by_asset(session: Session, urns: Iterable[str]) -> dict[str, set[str]]:
    """Asset urn -> the urns of its owners, for these assets."""
    known.write_unwritten(session)  # a batch's owners so far count (the right to edit)
    found: dict[str, set[str]] = {}
    rows = session.execute(
        select(Asset.urn, AssetOwner.owner_urn)
        .join(AssetOwner, AssetOwner.asset_id == Asset.id)
        .where(Asset.urn.in_(list(urns)))
    )
    for asset_urn, owner_urn in rows:
        found.setdefault(asset_urn, set()).add(owner_urn)
    return found


def actors_by_urn(session: Session, urns: Iterable[str]) -> dict[str, Actor]:
    wanted = list(set(urns))
    if not wanted:
        return {}
    return {a.urn: a for a in session.scalars(select(Actor).where(Actor.urn.in_(wanted)))}


def view(session: Session, urn: str, kind: str) -> AssetView:
    """An asset as the API shows it. Reads are lenient: an asset never seen, or one whose URN
    is malformed but of the right kind (the seed's `urn:li:dataset:(abc)`), reads as an asset
    with no incidents rather than an error."""
    rows = _VIEW_BY_URN.rows(session.connection(), {"urn": urn})
    if rows:
        kind, platform, name, description, removed, asset_id, active, total, deleted = rows[0]
        exists = deleted is None
        return AssetView(
            urn, kind, platform, name, description, bool(removed), exists, asset_id, active, total
        )
    try:
        return AssetView.unregistered(parse_asset(urn))
    except InvalidInput:
        key = urn.split(":", 3)[3] if urn.count(":") >= 3 else urn
        return AssetView(urn, kind, "unknown", key)
