"""The assets a batch of metadata names, loaded and (the new ones) registered in a few set-based
statements before the batch is applied, so that applying each proposal finds its asset without
a query of its own (catalog.service.known_assets). Kept in the session's info for the batch
only.

A setter says whether it changed anything, and registering an asset counts as a change; the
asset's first use in the batch, in the batch's order, reports the registration, as it would
have, had it registered the asset itself."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflare.catalog.models import Asset
from dataflare.core.errors import InvalidInput
from dataflare.core.urns import AssetRef, parse_asset

_KEY = "dataflare.known_assets"
CHUNK = 1000  # values per IN (...): PostgreSQL takes at most 65,535 parameters a statement


@dataclass
class _Known:
    by_urn: dict[str, Asset] = field(default_factory=dict)
    unreported: set[str] = field(default_factory=set)  # registered here, not yet reported new


def keep(session: Session, by_urn: dict[str, Asset], registered: Iterable[str]) -> None:
    """From now on (until `forget`), the session knows these assets; `registered` are those the
    batch registered itself."""
    session.info[_KEY] = _Known(by_urn, set(registered))


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)


def find(session: Session, urn: str) -> tuple[Asset, bool] | None:
    """The asset if the batch knows it, and whether this is the first use of an asset the batch
    registered; None when the batch does not know it (or there is no batch)."""
    known: _Known | None = session.info.get(_KEY)
    if known is None:
        return None
    asset = known.by_urn.get(urn)
    if asset is None:
        return None
    new = urn in known.unreported
    known.unreported.discard(urn)
    return asset, new


def asset_refs(urns: Iterable[str]) -> list[AssetRef]:
    """The asset URNs among these, parsed, each once; the others are left to the code that
    meets them (it says what is wrong with them)."""
    refs = {}
    for urn in urns:
        if urn in refs:
            continue
        try:
            refs[urn] = parse_asset(urn)
        except InvalidInput:
            continue
    return list(refs.values())


def load(session: Session, urns: Sequence[str]) -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    for start in range(0, len(urns), CHUNK):
        chunk = urns[start : start + CHUNK]
        found.update((a.urn, a) for a in session.scalars(select(Asset).where(Asset.urn.in_(chunk))))
    return found
