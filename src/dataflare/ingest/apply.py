"""Applying proposals: one service call each, all of a batch in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Literal

from sqlalchemy.orm import Session

from dataflare.access.roles import Caller
from dataflare.access.service import require_edit_incidents
from dataflare.catalog import service as catalog
from dataflare.catalog import stored_aspects
from dataflare.core.errors import InvalidInput
from dataflare.core.urns import ASSET_KINDS
from dataflare.db.chunks import plan_each_list
from dataflare.incidents.service import get_incident
from dataflare.ingest.aspects import INCIDENT_HANDLERS, handler_for, referenced_assets
from dataflare.ingest.locks import lock_rows
from dataflare.ingest.patches import patch_aspect
from dataflare.ingest.proposals import Proposal

# What a proposal did: changed something, found it all as it says already, or meant nothing to
# Dataflare (an aspect it does not use).
Outcome = Literal["changed", "unchanged", "ignored"]


def apply_proposal(session: Session, caller: Caller, proposal: Proposal) -> Outcome:
    """Apply one proposal for `caller` (who may send metadata). An incident sent as metadata
    needs the right to edit incidents on its assets, as the API does."""
    actor = caller.urn
    try:
        if proposal.entity_type == "incident" and proposal.aspect_name in INCIDENT_HANDLERS:
            _require_edit(session, caller, proposal)
        if proposal.change_type == "DELETE":
            if proposal.entity_type in ASSET_KINDS:
                changed = catalog.delete_asset(session, proposal.entity_urn)
                return "changed" if changed else "unchanged"
            return "ignored"
        handler = handler_for(proposal)
        if handler is None:
            return "ignored"
        if proposal.patch is not None:
            proposal = _patched(session, proposal, proposal.patch)
        changed = handler(session, actor, proposal)
        if proposal.entity_type != "incident":  # an incident is served from its own tables
            p = proposal
            changed |= stored_aspects.keep(session, p.entity_urn, p.aspect_name, p.aspect, actor)
        return "changed" if changed else "unchanged"
    except InvalidInput as error:
        raise InvalidInput(
            f"{proposal.where} ({proposal.aspect_name} of {_short(proposal.entity_urn)}): "
            f"{error.message}"
        ) from error


def apply_all(
    session: Session,
    caller: Caller,
    proposals: Sequence[Proposal],
    done: Callable[[int], None] = lambda _: None,
) -> list[Outcome]:
    """Apply every proposal, in order; what each did. `done(1)` after each (a progress bar)."""
    plan_each_list(session)  # the batch looks its assets, owners and aspects up by the hundred
    lock_rows(session, proposals)
    named = (urn for p in proposals for urn in referenced_assets(p))
    owned = (p.entity_urn for p in proposals if p.aspect_name == "ownership")
    kept = ((p.entity_urn, p.aspect_name) for p in proposals if p.entity_type != "incident")
    outcomes: list[Outcome] = []
    with catalog.known_assets(session, named, owned), stored_aspects.batched(session, kept):
        for proposal in proposals:
            outcomes.append(apply_proposal(session, caller, proposal))
            done(1)
    return outcomes


def _patched(session: Session, proposal: Proposal, ops: list[dict[str, Any]]) -> Proposal:
    """A PATCH as the UPSERT of the aspect it makes of the one Dataflare keeps."""
    name = proposal.aspect_name
    current = stored_aspects.kept(session, proposal.entity_urn, [name]).get(name)
    value = patch_aspect(name, current.value if current is not None else {}, ops)
    return replace(proposal, change_type="UPSERT", aspect=value, patch=None)


def _require_edit(session: Session, caller: Caller, proposal: Proposal) -> None:
    entities = proposal.aspect.get("entities")
    named = [e for e in entities if isinstance(e, str)] if isinstance(entities, list) else []
    existing = get_incident(session, proposal.entity_urn)
    current = [link.asset.urn for link in existing.assets] if existing is not None else []
    require_edit_incidents(session, caller, [*named, *current])


def _short(urn: str) -> str:
    """A URN as an error names it: whole when reasonable, its start when absurdly long."""
    return urn if len(urn) <= 200 else urn[:200] + "..."
