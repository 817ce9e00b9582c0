"""Walking lineage: which assets are upstream or downstream of some, and how many hops away.

The walk is one recursive query, the same on SQLite and PostgreSQL, so that its result can be
joined by other statements (a search, the owners to notify) without passing each asset found
as a parameter: a large graph holds more assets than either database takes parameters.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, Subquery, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from dataflare.catalog.models import Asset, LineageEdge
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_LINEAGE_HOPS, MAX_LINEAGE_RESULTS

UPSTREAM = "UPSTREAM"
DOWNSTREAM = "DOWNSTREAM"
DIRECTIONS = (UPSTREAM, DOWNSTREAM)


def reachable(
    starts: Select[int],
    direction: str,
    max_hops: int = MAX_LINEAGE_HOPS,
    max_results: int = MAX_LINEAGE_RESULTS,
) -> Subquery:
    """(asset_id, degree) of the assets reachable in `direction` from the assets `starts`
    selects, each at its shortest distance (degree, in hops), the starts themselves left out:
    at most `max_hops` hops, and the `max_results` nearest (then by id).

    UNION (not UNION ALL) keeps each (asset, degree) pair once, so each is followed once: a
    cycle is walked round until the hop cap and no further, and the work is bounded by the
    edges within reach times the hops."""
    if direction not in DIRECTIONS:
        raise InvalidInput(f"direction must be {' or '.join(DIRECTIONS)} (got {direction!r}).")
    if not 1 <= max_hops <= MAX_LINEAGE_HOPS:
        raise InvalidInput(
            f"Lineage hops must be between 1 and {MAX_LINEAGE_HOPS} (got {max_hops})."
        )
    edge = aliased(LineageEdge)
    near, far = (
        (edge.downstream_id, edge.upstream_id)
        if direction == UPSTREAM
        else (edge.upstream_id, edge.downstream_id)
    )
    # Literal numbers, not parameters: PostgreSQL types both terms of the recursion alike only
    # when the first one's degree is a plain integer.
    seed = select(
        starts.subquery().c[0].label("asset_id"), literal_column("0").label("degree")
    ).cte("walk", recursive=True)
    step = (
        select(far.label("asset_id"), (seed.c.degree + literal_column("1")).label("degree"))
        .join(seed, near == seed.c.asset_id)
        .where(seed.c.degree < max_hops)
    )
    walk = seed.union(step)
    degree = func.min(walk.c.degree)
    return (
        select(walk.c.asset_id, degree.label("degree"))
        .group_by(walk.c.asset_id)
        .having(degree > 0)  # a start is found again round a cycle, or from another start
        .order_by(degree, walk.c.asset_id)
        .limit(max_results)
        .subquery("lineage")
    )


def by_degrees(urn: str, direction: str, degrees: set[str]) -> Subquery:
    """What `reachable` finds from `urn`, narrowed to DataHub's degrees ("1", "2", "3+"; all
    of them when none is given). Without "3+" the walk stops at the largest degree asked."""
    hops = MAX_LINEAGE_HOPS if not degrees or "3+" in degrees else max(map(int, degrees))
    found = reachable(asset_by_urn(urn), direction, hops)
    if not degrees or degrees == {"1", "2", "3+"}:
        return found
    wanted: list[ColumnElement[bool]] = [found.c.degree.in_([int(d) for d in degrees if d != "3+"])]
    if "3+" in degrees:
        wanted.append(found.c.degree >= 3)
    return select(found).where(or_(*wanted)).subquery("lineage_degrees")


def asset_by_urn(urn: str) -> Select[int]:
    return select(Asset.id).where(Asset.urn == urn)


def walk(
    session: Session, urn: str, direction: str, max_hops: int = MAX_LINEAGE_HOPS
) -> dict[int, int]:
    """Asset id -> degree for the assets reachable from `urn` (see `reachable`)."""
    found = reachable(asset_by_urn(urn), direction, max_hops)
    return {asset_id: degree for asset_id, degree in session.execute(select(found))}


def neighbours(session: Session, urn: str, direction: str) -> list[Asset]:
    """The assets one hop away, by name."""
    found = reachable(asset_by_urn(urn), direction, max_hops=1)
    return list(
        session.scalars(
            select(Asset)
            .join(found, found.c.asset_id == Asset.id)
            .order_by(func.lower(Asset.name), Asset.id)
        )
    )
