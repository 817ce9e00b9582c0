"""Keeping the aspects Dataflare reads as they were sent, and reading them back."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
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


def keep(session: Session, urn: str, name: str, value: dict[str, Any], actor: str) -> bool:
    """Keep this version of an aspect; whether it differs from the one kept before."""
    text = _text(value)
    connection = session.connection()
    table = STORED_ASPECTS.c
    here = (table.urn == urn) & (table.aspect == name)
    current = connection.execute(select(table.value).where(here)).scalar_one_or_none()
    if current == text:
        return False
    row = {"value": text, "created_at": now_for(session.info), "created_by": actor}
    if current is None:
        connection.execute(insert(STORED_ASPECTS).values(urn=urn, aspect=name, **row))
    else:
        connection.execute(update(STORED_ASPECTS).where(here).values(**row))
    return True


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
