"""Keeping the aspects Dataflare reads as they were sent, and reading them back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataflare.catalog.stored_models import STORED_ASPECTS
from dataflare.core.clock import now_for


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
    """Insert the version, or replace a different one; a row comes back when it did either."""
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
    ).returning(STORED_ASPECTS.c.urn)


_KEEP = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}


def keep(session: Session, urn: str, name: str, value: dict[str, Any], actor: str) -> bool:
    """Keep this version of an aspect; whether it differs from the one kept before. One
    statement: ingestion keeps an aspect for nearly every proposal."""
    connection = session.connection()
    row = {
        "urn": urn,
        "aspect": name,
        "value": _text(value),
        "created_at": now_for(session.info),
        "created_by": actor,
    }
    return connection.execute(_KEEP[connection.dialect.name], row).first() is not None


def forget(session: Session, urn: str, names: Iterable[str] | None = None) -> int:
    """Drop an entity's kept aspects (those named, or all); how many were dropped."""
    table = STORED_ASPECTS.c
    statement = delete(STORED_ASPECTS).where(table.urn == urn)
    if names is not None:
        statement = statement.where(table.aspect.in_(list(names)))
    return session.connection().execute(statement).rowcount


def kept(session: Session, urn: str, names: Iterable[str] | None = None) -> dict[str, Kept]:
    """An entity's kept aspects by name (those named, or all)."""
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
    table = STORED_ASPECTS.c
    query = select(table.urn, table.value).where(table.urn.in_(list(urns)), table.aspect == name)
    return {urn: json.loads(value) for urn, value in session.connection().execute(query)}
