"""The aspects of assertion entities: what each check is, its runs, whether it was removed, the
tool that runs it and its tags."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dataflare.assertions import automation, service
from dataflare.core.config import assertion_run_days
from dataflare.core.errors import InvalidInput
from dataflare.ingest.proposals import Proposal


def assertion_info(session: Session, _actor: str, p: Proposal) -> bool:
    return service.set_info(session, p.entity_urn, p.aspect)


def assertion_run_event(session: Session, actor: str, p: Proposal) -> bool:
    return automation.record_run(session, actor, p.entity_urn, p.aspect, assertion_run_days())


def assertion_status(session: Session, _actor: str, p: Proposal) -> bool:
    removed = p.aspect.get("removed", False)
    if not isinstance(removed, bool):
        raise InvalidInput(f"aspect.removed: true or false is required, not {removed!r}.")
    return service.set_removed(session, p.entity_urn, removed)


def assertion_platform(session: Session, _actor: str, p: Proposal) -> bool:
    return service.set_platform(session, p.entity_urn, p.aspect)


def assertion_tags(session: Session, _actor: str, p: Proposal) -> bool:
    return service.set_tags(session, p.entity_urn, p.aspect)


ASSERTION_HANDLERS = {
    "assertionInfo": assertion_info,
    "assertionRunEvent": assertion_run_event,
    "status": assertion_status,
    "dataPlatformInstance": assertion_platform,
    "globalTags": assertion_tags,
}
