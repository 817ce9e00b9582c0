"""A general search's page, total and facets in one statement.

The matches are found once, into a materialized CTE, and read three times from there: grouped
by type, platform and active flag (three facets and the total), in search order for the page,
and joined to their owners for the owners facet. Found three times over, a free-text search
would ask its index three times and read each matching row three times.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    Subquery,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from dataflare.catalog.models import Asset, AssetOwner

GROUPS, PAGE, OWNERS = 0, 1, 2  # which part of the answer a row belongs to


@dataclass
class Matches:
    kinds: Counter[str] = field(default_factory=Counter)
    platforms: Counter[str] = field(default_factory=Counter)
    active: Counter[bool] = field(default_factory=Counter)
    page: list[tuple[int, int | None]] = field(default_factory=list)  # (asset id, degree)
    owners: list[tuple[str, int]] = field(default_factory=list)


def read(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    within: Subquery | None,
    rank: ColumnElement[int] | None,
    start: int,
    count: int,
    owners_shown: int,
) -> Matches:
    """What the matches of `conditions` (within a lineage walk's assets, if given) add up to,
    and the page from `start`: by `rank`, then by name in any case, then by id."""
    found = select(
        Asset.id.label("id"),
        Asset.kind.label("kind"),
        Asset.platform.label("platform"),
        cast(Asset.active_incidents > 0, Integer).label("active"),
        func.lower(Asset.name).label("sort_name"),
        (rank if rank is not None else literal_column("0")).label("rank"),
        (within.c.degree if within is not None else cast(null(), Integer)).label("degree"),
    ).select_from(Asset)
    if within is not None:
        found = found.join(within, within.c.asset_id == Asset.id)
    matches = found.where(*conditions).cte("matches").prefix_with("MATERIALIZED")
    m = matches.c
    n = func.count()
    # One row shape for the three parts: (part, rank, text, other_text, number, n, degree).
    groups = select(
        literal(GROUPS).label("part"),
        cast(null(), Integer).label("rank"),
        m.kind.label("text"),
        m.platform.label("other_text"),
        m.active.label("number"),
        n.label("n"),
        cast(null(), Integer).label("degree"),
    ).group_by(m.kind, m.platform, m.active)
    page = (
        select(m.id, m.sort_name, m.rank, m.degree)
        .order_by(m.rank, m.sort_name, m.id)
        .offset(start)
        .limit(count)
        .subquery("page")
    )
    page_rows = select(
        literal(PAGE),
        page.c.rank,
        page.c.sort_name,
        cast(null(), String),
        page.c.id,
        cast(null(), Integer),
        page.c.degree,
    )
    owners = (
        select(AssetOwner.owner_urn, n.label("n"))
        # IN, not a join: SQLite would otherwise walk every owner row and look each up.
        .where(AssetOwner.asset_id.in_(select(m.id)))
        .group_by(AssetOwner.owner_urn)
        .order_by(n.desc(), AssetOwner.owner_urn)
        .limit(owners_shown)
        .subquery("owners")
    )
    owner_rows = select(
        literal(OWNERS),
        cast(null(), Integer),
        owners.c.owner_urn,
        cast(null(), String),
        cast(null(), Integer),
        owners.c.n,
        cast(null(), Integer),
    )
    # The page in its order (rank, name, id), compared by the database as when it was chosen.
    answer = union_all(groups, page_rows, owner_rows).subquery("answer")
    c = answer.c
    rows = session.execute(select(answer).order_by(c.part, c.rank, c.text, c.number)).all()
    return _gather(rows)


def _gather(rows: Sequence[Any]) -> Matches:
    found = Matches()
    for part, _, text, other_text, number, n, degree in rows:
        if part == GROUPS:
            found.kinds[text] += n
            found.platforms[other_text] += n
            found.active[bool(number)] += n
        elif part == PAGE:
            found.page.append((number, degree))
        else:
            found.owners.append((text, n))
    return found
