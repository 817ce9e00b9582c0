"""The people and groups the metadata knows: described by it (actors) or named as an asset's
owner. The web UI suggests them as assignees and refuses a name none of them has."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from dataflare.catalog.models import ASSET_OWNERS, Actor

MAX_SUGGESTED = 500  # a page's list of suggestions; a person past it is still accepted


@dataclass(frozen=True)
class Person:
    urn: str
    display_name: str | None


def known_people(session: Session, limit: int = MAX_SUGGESTED) -> list[Person]:
    """Up to `limit` of them, in URN order, each with the name the metadata gives it. Two reads
    that each stop after `limit` rows along their index (every asset page of an editor asks, so
    it must not read every ownership of a large catalog), merged here."""
    actors = session.execute(
        select(Actor.urn, Actor.display_name).order_by(Actor.urn).limit(limit)
    ).all()
    owners = session.scalars(
        select(ASSET_OWNERS.c.owner_urn).distinct().order_by(ASSET_OWNERS.c.owner_urn).limit(limit)
    ).all()
    named = {urn: name for urn, name in actors}
    urns = sorted(set(named) | set(owners))[:limit]
    return [Person(urn, named.get(urn)) for urn in urns]


def known_of(session: Session, urns: Iterable[str]) -> set[str]:
    """Those of `urns` the metadata knows."""
    wanted = sorted(set(urns))
    if not wanted:
        return set()
    described = select(Actor.urn).where(Actor.urn.in_(wanted))
    owning = select(ASSET_OWNERS.c.owner_urn).where(ASSET_OWNERS.c.owner_urn.in_(wanted))
    return set(session.scalars(union(described, owning)))
