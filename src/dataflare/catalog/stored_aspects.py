"""Keeping the aspects Dataflare reads as they were sent, and reading them back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataflare.catalog.stored_models import STORED_ASPECTS
from dataflare.core.clock import now_for
from dataflare.db.chunks import among, chunks


@dataclass(frozen=True)
class Kept:
    """An aspect's latest version: its value, when it arrived and who sent it."""

    name: str
    value: dict[str, Any]
    created_at: int
    created_by: str


def _text(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _upsert(dialect: Any) -> Any:
    """Insert the version, or replace a different one."""
    statement = dialect.insert(STORED_ASPECTS)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["urn", "aspect"],
        set_={
            "value": excluded.value,
            "created_at": excluded.created_at,
            "created_by": excluded.created_by,
        },
        where=STORED_ASPECTS.c.value != excluded.value,
    )


_WRITE = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}
# A row comes back when the version was inserted or replaced another.
_KEEP = {name: upsert.returning(STORED_ASPECTS.c.urn) for name, upsert in _WRITE.items()}

# Key -> the value kept (its text), None when none is; and the rows to write at the batch's end.
Key = tuple[str, str]
_BATCH = "dataflare.stored_aspects"


@dataclass
class _Batch:
    current: dict[Key, str | None]
    unwritten: dict[Key, dict[str, Any]] = field(default_factory=dict)


@contextmanager
def batched(session: Session, keys: Iterable[Key]) -> Iterator[None]:
    """Within the block, `keep` compares with the aspects these keys name, read up front in a
    few statements, and writes the versions that changed in one statement at the block's end
    (or before anything else here reads or deletes kept aspects): a batch of metadata keeps an
    aspect for nearly every proposal."""
    wanted = set(keys)
    current: dict[Key, str | None] = dict.fromkeys(wanted)
    urns = sorted({urn for urn, _ in wanted})
    names = sorted({name for _, name in wanted})
    table = STORED_ASPECTS.c
    connection = session.connection()
    dialect = connection.dialect.name
    for chunk in chunks(urns):
        found = connection.execute(
            select(table.urn, table.aspect, table.value).where(
                among(table.urn, chunk, dialect), among(table.aspect, names, dialect)
            )
        )
        for urn, name, value in found:
            if (urn, name) in wanted:
                current[(urn, name)] = value
    session.info[_BATCH] = _Batch(current)
    try:
        yield
        _write_unwritten(session)
    finally:
        session.info.pop(_BATCH, None)


def _write_unwritten(session: Session) -> None:
    batch: _Batch | None = session.info.get(_BATCH)
    if batch is None or not batch.unwritten:
        return
    connection = session.connection()
    rows = [batch.unwritten[key] for key in sorted(batch.unwritten)]  # rows locked in key order
    batch.unwritten.clear()
    connection.execute(_WRITE[connection.dialect.name], rows)


def keep(session: Session, urn: str, name: str, value: dict[str, Any], actor: str) -> bool:
    """Keep this version of an aspect; whether it differs from the one kept before. One
    statement, or none in a batch (`batched`)."""
    text = _text(value)
    row = {
        "urn": urn,
        "aspect": name,
        "value": text,
        "created_at": now_for(session.info),
        "created_by": actor,
    }
    batch: _Batch | None = session.info.get(_BATCH)
    key = (urn, name)
    if batch is not None and key in batch.current:
        if batch.current[key] == text:
            return False
        batch.current[key] = text
        batch.unwritten[key] = row
        return True
    _write_unwritten(session)
    connection = session.connection()
    return connection.execute(_KEEP[connection.dialect.name], row).first() is not None


def forget(session: Session, urn: str, names: Iterable[str] | None = None) -> int:
    """Drop an entity's kept aspects (those named, or all); how many were dropped."""
    names = None if names is None else list(names)
    _write_unwritten(session)
    batch: _Batch | None = session.info.get(_BATCH)
    if batch is not None:
        for key in batch.current:
            if key[0] == urn and (names is None or key[1] in names):
                batch.current[key] = None
    table = STORED_ASPECTS.c
    statement = delete(STORED_ASPECTS).where(table.urn == urn)
    if names is not None:
        statement = statement.where(table.aspect.in_(list(names)))
    return session.connection().execute(statement).rowcount


def kept(session: Session, urn: str, names: Iterable[str] | None = None) -> dict[str, Kept]:
    """An entity's kept aspects by name (those named, or all)."""
    _write_unwritten(session)
    table = STORED_ASPECTS.c
    query = select(table.aspect, table.value, table.created_at, table.created_by).where(
        table.urn == urn
    )
    if names is not None:
        query = query.where(table.aspect.in_(list(names)))
    return {
        name: Kept(name, json.loads(value), at, by)
        for name, value, at, by in session.connection().execute(query.order_by(table.aspect))
    }


def kept_of_many(session: Session, urns: Sequence[str], name: str) -> dict[str, dict[str, Any]]:
    """One aspect of many entities (a page of them): its value by URN, where kept."""
    if not urns:
        return {}
    _write_unwritten(session)
    table = STORED_ASPECTS.c
    query = select(table.urn, table.value).where(table.urn.in_(list(urns)), table.aspect == name)
    return {urn: json.loads(value) for urn, value in session.connection().execute(query)}
