"""Who an event concerns: the incident's assets, their owners, and the owners of the assets
downstream of them. The worker reads them from the catalog once per event, for a whole batch of
events at a time, when it routes them; the event keeps them (as JSON) for all its deliveries."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Executable

from dataflare.catalog.models import Actor, Asset, AssetOwner, LineageEdge
from dataflare.core.limits import MAX_LINEAGE_HOPS, MAX_LINEAGE_RESULTS
from dataflare.core.urns import entity_type_of
from dataflare.db.chunks import chunks


@dataclass(frozen=True)
class AssetInfo:
    urn: str
    name: str
    platform: str
    link: str


@dataclass(frozen=True)
class Person:
    """A user or group as the catalog describes them."""

    urn: str
    name: str
    email: str | None
    slack: str | None

    @property
    def is_group(self) -> bool:
        return entity_type_of(self.urn) == "corpGroup"


@dataclass(frozen=True)
class Owner:
    person: Person
    asset_urn: str  # the asset they own
    degree: int  # 0: an asset of the incident; n: n hops downstream of one


@dataclass(frozen=True)
class Audience:
    assets: list[AssetInfo]
    owners: list[Owner]  # of the incident's assets
    downstream_owners: list[Owner]  # of assets downstream, not already owners above
    actor: Person

    @property
    def owner_groups(self) -> set[str]:
        return {o.person.urn for o in self.owners if o.person.is_group}


@lru_cache(maxsize=4096)  # URL-quoting is slow, and the same assets come back
def asset_link(public_url: str, urn: str) -> str:
    return f"{public_url}/asset/{quote(urn, safe='')}"


def incident_link(public_url: str, urn: str) -> str:
    return f"{public_url}/incident/{quote(urn, safe='')}"


def gather(
    session: Session, asset_urns: list[str], actor_urn: str, depth: int, public_url: str
) -> Audience:
    """The audience of one event (see `gather_many`)."""
    return gather_many(session, [(asset_urns, actor_urn)], depth, public_url)[0]


def gather_many(
    session: Session, events: Sequence[tuple[list[str], str]], depth: int, public_url: str
) -> list[Audience]:
    """The audience of each event, given as (its incident's asset URNs, its actor's URN), read
    in four statements however many events there are (for up to CHUNK assets): the assets,
    their owners, the owners of the assets downstream of each (one lineage walk for all), and
    the people named."""
    urns = sorted({urn for assets, _ in events for urn in assets})
    rows = {row.urn: row for row in _in_chunks(session, _assets, urns)}
    ids = sorted(row.id for row in rows.values())
    own_owners: dict[int, list[Any]] = {}
    for row in _in_chunks(session, _owners, ids):
        own_owners.setdefault(row.asset_id, []).append(row)
    walks = _downstream(session, ids, depth)
    people = _people(
        session,
        {r.owner_urn for found in own_owners.values() for r in found}
        | {r.owner_urn for found in walks.values() for r in found}
        | {actor for _, actor in events},
    )
    audiences = []
    for assets, actor in events:
        own = sorted({rows[urn].id for urn in assets if urn in rows})
        owners = _first_of_each(
            [
                Owner(people[r.owner_urn], r.urn, 0)
                for asset_id in own
                for r in sorted(own_owners.get(asset_id, []), key=lambda r: r.position)
            ]
        )
        seen = {o.person.urn for o in owners}
        downstream = [
            o
            for o in _first_of_each(
                [Owner(people[r.owner_urn], r.urn, r.degree) for r in _merged(own, walks)]
            )
            if o.person.urn not in seen
        ]
        info = [_asset_info(public_url, urn, rows.get(urn)) for urn in assets]
        audiences.append(Audience(info, owners, downstream, people[actor]))
    return audiences


def to_json(audience: Audience) -> str:
    """The audience as an event keeps it (`audience` in events/models.py): lists of values,
    in the order of each class's fields."""

    def person(p: Person) -> list[Any]:
        return [p.urn, p.name, p.email, p.slack]

    def owner(o: Owner) -> list[Any]:
        return [person(o.person), o.asset_urn, o.degree]

    return json.dumps(
        [
            [[a.urn, a.name, a.platform, a.link] for a in audience.assets],
            [owner(o) for o in audience.owners],
            [owner(o) for o in audience.downstream_owners],
            person(audience.actor),
        ],
        separators=(",", ":"),
    )


def from_json(text: str) -> Audience:
    assets, owners, downstream, actor = json.loads(text)

    def owner(o: list[Any]) -> Owner:
        return Owner(Person(*o[0]), o[1], o[2])

    return Audience(
        [AssetInfo(*a) for a in assets],
        [owner(o) for o in owners],
        [owner(o) for o in downstream],
        Person(*actor),
    )


def _assets(values: Sequence[Any]) -> Executable:
    return select(Asset.id, Asset.urn, Asset.name, Asset.platform).where(Asset.urn.in_(values))


def _owners(values: Sequence[Any]) -> Executable:
    return (
        select(AssetOwner.asset_id, AssetOwner.owner_urn, AssetOwner.position, Asset.urn)
        .join(Asset, Asset.id == AssetOwner.asset_id)
        .where(AssetOwner.asset_id.in_(values))
    )


def _in_chunks(session: Session, statement: Any, values: Sequence[Any]) -> Iterator[Any]:
    for chunk in chunks(values):
        yield from session.execute(statement(chunk))


def _downstream(session: Session, ids: list[int], depth: int) -> dict[int, list[Any]]:
    """Start asset id -> rows (degree, asset_id, position, owner_urn, urn) of the owners of the
    assets downstream of it, up to `depth` hops, each asset at its shortest distance."""
    found: dict[int, list[Any]] = {}
    if depth <= 0 or not ids:
        return found
    hops = min(depth, MAX_LINEAGE_HOPS)
    for row in _in_chunks(session, lambda chunk: _walk_owners(chunk, hops), ids):
        found.setdefault(row.origin, []).append(row)
    return found


def _walk_owners(ids: Sequence[int], hops: int) -> Select[Any]:
    """One recursive walk from all of `ids` that remembers where each path started (where
    the catalog's `lineage.reachable` walks from a set as from one), the `MAX_LINEAGE_RESULTS`
    nearest assets of each start, joined to their owners. UNION keeps each (start, asset,
    degree) once, so a cycle is walked round until the hop cap and no further."""
    edge = aliased(LineageEdge)
    # Literal numbers, not parameters: PostgreSQL types both terms of the recursion alike only
    # when the first one's degree is a plain integer.
    walk = (
        select(
            Asset.id.label("origin"),
            Asset.id.label("asset_id"),
            literal_column("0").label("degree"),
        )
        .where(Asset.id.in_(ids))
        .cte("owners_walk", recursive=True)
    )
    step = (
        select(
            walk.c.origin,
            edge.downstream_id.label("asset_id"),
            (walk.c.degree + literal_column("1")).label("degree"),
        )
        .join(walk, edge.upstream_id == walk.c.asset_id)
        .where(walk.c.degree < hops)
    )
    walk = walk.union(step)
    nearest = func.min(walk.c.degree)
    per_start = (
        select(walk.c.origin, walk.c.asset_id, nearest.label("degree"))
        .group_by(walk.c.origin, walk.c.asset_id)
        .having(nearest > 0)
        .subquery("per_start")
    )
    rank = func.row_number().over(
        partition_by=per_start.c.origin, order_by=(per_start.c.degree, per_start.c.asset_id)
    )
    ranked = select(per_start, rank.label("rank")).subquery("ranked")
    return (
        select(
            ranked.c.origin,
            ranked.c.degree,
            ranked.c.asset_id,
            AssetOwner.position,
            AssetOwner.owner_urn,
            Asset.urn,
        )
        .join(AssetOwner, AssetOwner.asset_id == ranked.c.asset_id)
        .join(Asset, Asset.id == ranked.c.asset_id)
        .where(ranked.c.rank <= MAX_LINEAGE_RESULTS)
    )


def _merged(own: list[int], walks: dict[int, list[Any]]) -> list[Any]:
    """The owner rows downstream of several assets, as one walk from all of them finds them:
    each asset at its nearest distance from any, none of them itself, the MAX_LINEAGE_RESULTS
    nearest; nearest first, then by asset, each asset's owners in their order."""
    nearest: dict[int, int] = {}
    rows: dict[int, list[Any]] = {}
    starts = set(own)
    for origin in own:
        for row in walks.get(origin, []):
            if row.asset_id in starts:
                continue
            known = nearest.get(row.asset_id)
            if known is None or row.degree < known:
                nearest[row.asset_id] = row.degree
                rows[row.asset_id] = [row]
            elif row.degree == known and origin == rows[row.asset_id][0].origin:
                rows[row.asset_id].append(row)
    kept = sorted(nearest, key=lambda asset_id: (nearest[asset_id], asset_id))
    return [
        row
        for asset_id in kept[:MAX_LINEAGE_RESULTS]
        for row in sorted(rows[asset_id], key=lambda r: r.position)
    ]


def _first_of_each(owners: list[Owner]) -> list[Owner]:
    found: dict[str, Owner] = {}
    for owner in owners:
        found.setdefault(owner.person.urn, owner)
    return list(found.values())


def _asset_info(public_url: str, urn: str, row: Any) -> AssetInfo:
    name = row.name if row is not None else urn
    platform = row.platform if row is not None else ""
    return AssetInfo(urn, name, platform, asset_link(public_url, urn))


def _people(session: Session, urns: set[str]) -> dict[str, Person]:
    found = {row.urn: row for row in _in_chunks(session, _actors, sorted(urns))}
    people: dict[str, Person] = {}
    for urn in urns:
        actor = found.get(urn)
        fallback = urn.rsplit(":", 1)[-1]
        if actor is None:
            people[urn] = Person(urn, fallback, None, None)
        else:
            people[urn] = Person(urn, actor.display_name or fallback, actor.email, actor.slack)
    return people


def _actors(values: Sequence[Any]) -> Executable:
    return select(Actor.urn, Actor.display_name, Actor.email, Actor.slack).where(
        Actor.urn.in_(values)
    )
