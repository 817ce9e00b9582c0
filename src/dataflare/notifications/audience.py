"""Who an event concerns: the incident's assets, their owners, and the owners of the assets
downstream of them, read from the catalog when the event is delivered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import Select, Subquery, literal_column, select
from sqlalchemy.orm import Session

from dataflare.catalog import lineage
from dataflare.catalog.models import Asset, AssetOwner
from dataflare.catalog.service import actors_by_urn
from dataflare.core.limits import MAX_LINEAGE_HOPS
from dataflare.core.urns import entity_type_of


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


def asset_link(public_url: str, urn: str) -> str:
    return f"{public_url}/asset/{quote(urn, safe='')}"


def incident_link(public_url: str, urn: str) -> str:
    return f"{public_url}/incident/{quote(urn, safe='')}"


def gather(
    session: Session, asset_urns: list[str], actor_urn: str, depth: int, public_url: str
) -> Audience:
    rows = {a.urn: a for a in session.scalars(select(Asset).where(Asset.urn.in_(asset_urns)))}
    assets = [_asset_info(public_url, urn, rows.get(urn)) for urn in asset_urns]
    own_ids = [row.id for row in rows.values()]
    own: Select[int, int] = select(Asset.id, literal_column("0").label("degree")).where(
        Asset.id.in_(own_ids)
    )
    owner_rows = list(session.execute(_owners(own.subquery())))
    downstream_rows = []
    if depth > 0 and own_ids:
        # Joined in SQL: the walk may find more assets than a statement takes parameters.
        found = lineage.reachable(
            select(Asset.id).where(Asset.id.in_(own_ids)),
            lineage.DOWNSTREAM,
            min(depth, MAX_LINEAGE_HOPS),
        )
        downstream_rows = list(
            session.execute(
                _owners(select(found.c.asset_id.label("id"), found.c.degree).subquery())
            )
        )
    people = _people(
        session, {row.owner_urn for row in [*owner_rows, *downstream_rows]} | {actor_urn}
    )
    owners = _first_of_each([Owner(people[r.owner_urn], r.urn, 0) for r in owner_rows])
    seen = {o.person.urn for o in owners}
    downstream_owners = [
        o
        for o in _first_of_each(
            [Owner(people[r.owner_urn], r.urn, r.degree) for r in downstream_rows]
        )
        if o.person.urn not in seen
    ]
    return Audience(assets, owners, downstream_owners, people[actor_urn])


def _owners(found: Subquery) -> Select[Any]:
    """The owners of the assets `found` holds (id, degree), with each asset's URN: nearest
    assets first, each asset's owners in their order."""
    return (
        select(AssetOwner.owner_urn, Asset.urn, found.c.degree)
        .join(found, found.c.id == AssetOwner.asset_id)
        .join(Asset, Asset.id == AssetOwner.asset_id)
        .order_by(found.c.degree, AssetOwner.asset_id, AssetOwner.position)
    )


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
    actors = actors_by_urn(session, urns)
    people: dict[str, Person] = {}
    for urn in urns:
        actor = actors.get(urn)
        fallback = urn.rsplit(":", 1)[-1]
        if actor is None:
            people[urn] = Person(urn, fallback, None, None)
        else:
            people[urn] = Person(urn, actor.display_name or fallback, actor.email, actor.slack)
    return people
