"""Who an event concerns: the incident's assets, their owners, and the owners of the assets
downstream of them, read from the catalog when the event is delivered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflare.catalog import lineage
from dataflare.catalog.models import Asset, AssetOwner
from dataflare.catalog.service import actors_by_urn
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
    own_ids = {row.id: 0 for row in rows.values()}
    downstream: dict[int, int] = {}
    if depth > 0:
        for urn in asset_urns:
            for asset_id, degree in lineage.walk(session, urn, lineage.DOWNSTREAM, depth).items():
                if asset_id not in own_ids and degree < downstream.get(asset_id, depth + 1):
                    downstream[asset_id] = degree
    owner_rows = list(
        session.execute(
            select(AssetOwner.asset_id, AssetOwner.owner_urn, Asset.urn)
            .join(Asset, Asset.id == AssetOwner.asset_id)
            .where(AssetOwner.asset_id.in_([*own_ids, *downstream]))
            .order_by(AssetOwner.asset_id, AssetOwner.position)
        )
    )
    people = _people(session, {row.owner_urn for row in owner_rows} | {actor_urn})
    owners: list[Owner] = []
    downstream_owners: list[Owner] = []
    for row in owner_rows:
        degree = own_ids.get(row.asset_id, downstream.get(row.asset_id, 0))
        target = owners if row.asset_id in own_ids else downstream_owners
        target.append(Owner(people[row.owner_urn], row.urn, degree))
    owners = _first_of_each(owners)
    seen = {o.person.urn for o in owners}
    downstream_owners = [
        o
        for o in _first_of_each(sorted(downstream_owners, key=lambda o: o.degree))
        if o.person.urn not in seen
    ]
    return Audience(assets, owners, downstream_owners, people[actor_urn])


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
