"""What the incident figures read, kept on the incident with each change (incidents/stats.py
reads them): when it was first acknowledged, when it was last resolved, how often reopened.

Acknowledged: the first moment it had an assignee, or a stage past TRIAGE (at the raise, when
it was raised so). Resolved: the last move to RESOLVED; a reopen clears it and counts."""

from __future__ import annotations

from collections.abc import Sequence

from dataflare.incidents.models import Incident

TRIAGE = "TRIAGE"


def acknowledged(assignees: Sequence[str], stage: str | None) -> bool:
    return bool(assignees) or stage not in (None, TRIAGE)


def at_raise(
    state: str, stage: str | None, assignees: Sequence[str], now: int
) -> dict[str, int | None]:
    """The new incident's columns."""
    return {
        "acknowledged_at": now if acknowledged(assignees, stage) else None,
        "resolved_at": now if state == "RESOLVED" else None,
        "reopen_count": 0,
    }


def state_moved(incident: Incident, state: str, now: int) -> None:
    if state == "RESOLVED":
        incident.resolved_at = now
    else:
        incident.resolved_at = None
        incident.reopen_count = (incident.reopen_count or 0) + 1


def maybe_acknowledged(
    incident: Incident, assignees: Sequence[str], stage: str | None, now: int
) -> None:
    if incident.acknowledged_at is None and acknowledged(assignees, stage):
        incident.acknowledged_at = now
