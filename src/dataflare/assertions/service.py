"""Assertion rules: what the metadata says of each check. Functions take the session and never
commit; each answers whether it changed anything (loading the same metadata again changes
nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataflare.assertions.info import asset_urn_of, read_info
from dataflare.assertions.models import ASSERTIONS, Assertion
from dataflare.catalog.service import ensure_asset_ids
from dataflare.catalog.tags import tag_urns
from dataflare.core.clock import now_for
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_PLATFORM_CHARS
from dataflare.core.text import check_text
from dataflare.core.urns import check_urn, entity_type_of, parse_asset
from dataflare.db.chunks import chunks


def check_assertion_urn(urn: str) -> str:
    check_urn(urn)
    if entity_type_of(urn) != "assertion":
        raise InvalidInput(f"'{urn[:200]}' is not an assertion URN (urn:li:assertion:<id>).")
    return urn


def assertion_to_change(session: Session, urn: str) -> Assertion:
    """The assertion's row, made when first named, and locked until the transaction ends (on
    PostgreSQL), so that two writers apply its runs one after the other."""
    check_assertion_urn(urn)
    now = now_for(session.info)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(ASSERTIONS)
        .values(urn=urn, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["urn"])
    )
    found: Assertion = session.scalars(
        select(Assertion).where(Assertion.urn == urn).with_for_update()
    ).one()
    return found


def lock_assertions(session: Session, urns: Iterable[str]) -> list[tuple[int, int | None]]:
    """Before a batch applies anything (PostgreSQL): register the assertions it names that are
    new, in URN order, then lock them all in id order, so that concurrent batches naming the
    same assertions queue rather than deadlock. Their (id, asset id), in id order; a URN that
    is not an assertion's is left to the proposal to refuse."""
    named = sorted({u for u in urns if _is_assertion_urn(u)})
    now = now_for(session.info)
    found: list[tuple[int, int | None]] = []
    for part in chunks(named):
        session.execute(
            postgresql.insert(ASSERTIONS)
            .values([{"urn": u, "created_at": now, "updated_at": now} for u in part])
            .on_conflict_do_nothing(index_elements=["urn"])
        )
        rows = session.execute(
            select(ASSERTIONS.c.id, ASSERTIONS.c.asset_id).where(ASSERTIONS.c.urn.in_(part))
        )
        found += [(row.id, row.asset_id) for row in rows]
    found.sort()
    for ids in chunks([row[0] for row in found]):
        session.execute(
            select(ASSERTIONS.c.id)
            .where(ASSERTIONS.c.id.in_(ids))
            .order_by(ASSERTIONS.c.id)
            .with_for_update()
        ).all()
    return found


def _is_assertion_urn(urn: str) -> bool:
    try:
        check_assertion_urn(urn)
    except InvalidInput:
        return False
    return True


def asset_named(aspect_name: str, aspect: dict[str, Any]) -> str | None:
    """The asset an assertion's aspect names (to lock it up front), if any."""
    named = aspect.get("asserteeUrn") if aspect_name == "assertionRunEvent" else None
    if aspect_name == "assertionInfo":
        try:
            named = read_info(aspect).target_urn
        except InvalidInput:
            return None
    return asset_urn_of(named) if isinstance(named, str) else None


def asset_id_for(session: Session, urn: str | None) -> int | None:
    """The id of the asset a URN names (registering it), or None when it names no asset."""
    asset_urn = asset_urn_of(urn)
    if asset_urn is None:
        return None
    return ensure_asset_ids(session, [parse_asset(asset_urn)])[0]


def set_info(session: Session, urn: str, aspect: dict[str, Any]) -> bool:
    facts = read_info(aspect)
    assertion = assertion_to_change(session, urn)
    asset_id = asset_id_for(session, facts.target_urn)
    new = {
        "assertion_type": facts.type,
        "info": facts.info_json,
        "description": facts.description,
        # A later info that names no entity keeps the asset a run named.
        "asset_id": asset_id if asset_id is not None else assertion.asset_id,
    }
    return _apply(session, assertion, new)


def set_removed(session: Session, urn: str, removed: bool) -> bool:
    return _apply(session, assertion_to_change(session, urn), {"removed": removed})


def set_platform(session: Session, urn: str, aspect: dict[str, Any]) -> bool:
    """dataPlatformInstance: the tool that runs the check (dbt, great-expectations)."""
    platform = aspect.get("platform")
    if not isinstance(platform, str) or entity_type_of(platform) != "dataPlatform":
        raise InvalidInput("aspect.platform: a data platform URN is required.")
    name = check_text(platform.split(":", 3)[3], "aspect.platform", MAX_PLATFORM_CHARS)
    return _apply(session, assertion_to_change(session, urn), {"platform": name})


def set_tags(session: Session, urn: str, aspect: dict[str, Any]) -> bool:
    """globalTags: the tags a policy rule may name."""
    names = tag_urns(aspect)
    return _apply(session, assertion_to_change(session, urn), {"tags": json.dumps(names)})


def _apply(session: Session, assertion: Assertion, new: dict[str, Any]) -> bool:
    changed = {k: v for k, v in new.items() if getattr(assertion, k) != v}
    for key, value in changed.items():
        setattr(assertion, key, value)
    if changed:
        assertion.updated_at = now_for(session.info)
    return bool(changed)


def tags_of(assertion: Assertion) -> list[str]:
    found: list[str] = json.loads(assertion.tags) if assertion.tags else []
    return found
