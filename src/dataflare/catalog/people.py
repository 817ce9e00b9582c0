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
    """Up to `limit` of them, in URN order, each with the name the metadata gives it."""
    urns = union(select(Actor.urn), select(ASSET_OWNERS.c.owner_urn)).subquery()
    query = (
        select(urns.c.urn, Actor.display_name)
        .outerjoin(Actor, Actor.urn == urns.c.urn)
        .order_by(urns.c.urn)
        .limit(limit)
    )
    return [Person(urn, name) for urn, name in session.execute(query)]


def known_of(session: Session, urns: Iterable[str]) -> set[str]:
    """Those of `urns` the metadata knows."""
    wanted = sorted(set(urns))
    if not wanted:
        return set()
    described = select(Actor.urn).where(Actor.urn.in_(wanted))
    owning = select(ASSET_OWNERS.c.owner_urn).where(ASSET_OWNERS.c.owner_urn.in_(wanted))
    return set(session.scalars(union(described, owning)))
