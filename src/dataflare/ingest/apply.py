"""Applying proposals: one service call each, all of a batch in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from dataflare.catalog import service as catalog
from dataflare.errors import InvalidInput
from dataflare.ingest.aspects import handler_for
from dataflare.ingest.proposals import Proposal
from dataflare.urns import ASSET_KINDS


def apply_proposal(session: Session, actor: str, proposal: Proposal) -> bool:
    """Apply one proposal; False when its aspect means nothing to Dataflare (it is ignored)."""
    try:
        if proposal.change_type == "DELETE":
            if proposal.entity_type in ASSET_KINDS:
                catalog.delete_asset(session, proposal.entity_urn)
                return True
            return False
        handler = handler_for(proposal)
        if handler is None:
            return False
        handler(session, actor, proposal)
        return True
    except InvalidInput as error:
        raise InvalidInput(
            f"{proposal.where} ({proposal.aspect_name} of {proposal.entity_urn}): {error.message}"
        ) from error


def apply_all(session: Session, actor: str, proposals: Sequence[Proposal]) -> int:
    """Apply every proposal, in order; how many were used (the rest were ignored)."""
    return sum(apply_proposal(session, actor, p) for p in proposals)
