"""A page of the rows several queries select, as if they were one list: counted and cut in
the database, whatever the lists' sizes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, literal_column, select, union_all
from sqlalchemy.orm import Session


def page_of_union(
    session: Session, parts: Sequence[Select[Any]], start: int, count: int
) -> tuple[int, list[tuple[Any, ...]]]:
    """(how many rows the parts select in all, the rows from `start`, at most `count`), in
    the order of the parts, each part's rows ordered by their columns. The parts must select
    the same number of columns, of the same types."""
    if not parts:
        return 0, []
    numbered = [
        part.add_columns(literal_column(str(i)).label("part")).subquery().select()
        for i, part in enumerate(parts)
    ]
    rows = union_all(*numbered).subquery()
    total = session.execute(select(func.count()).select_from(rows)).scalar_one()
    if not total or count == 0:
        return int(total), []
    columns = [c for c in rows.c if c.name != "part"]
    page = session.execute(
        select(*columns).order_by(rows.c.part, *columns).offset(start).limit(count)
    )
    return int(total), [tuple(row) for row in page]
