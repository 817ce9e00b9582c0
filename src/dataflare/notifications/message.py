"""What a notification says, in words every channel shares: the headline and the changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataflare.events.outbox import RAISED
from dataflare.notifications.audience import Audience
from dataflare.notifications.queue import Event

DESCRIPTION_SHOWN = 300  # characters of the description in a message
LABELS = {
    "state": "State",
    "stage": "Stage",
    "priority": "Priority",
    "assignees": "Assignees",
    "assets": "Assets",
}


@dataclass(frozen=True)
class Notice:
    """An event with everything a message about it shows."""

    event: Event
    audience: Audience
    link: str  # the incident's page

    @property
    def incident(self) -> dict[str, Any]:
        return self.event.incident

    @property
    def title(self) -> str:
        return str(self.incident["title"] or "Untitled incident")


def headline(notice: Notice) -> str:
    event = notice.event
    if event.kind == RAISED:
        return f"Incident raised: {notice.title}"
    states = {c["field"]: c for c in event.changes}
    if "state" in states:
        verb = "resolved" if states["state"]["new"] == "RESOLVED" else "reopened"
        return f"Incident {verb}: {notice.title}"
    return f"Incident updated: {notice.title}"


def shown(value: Any) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def change_lines(event: Event) -> list[str]:
    return [f"{LABELS[c['field']]}: {shown(c['old'])} → {shown(c['new'])}" for c in event.changes]


def description_start(notice: Notice) -> str:
    text = str(notice.incident.get("description") or "")
    return text if len(text) <= DESCRIPTION_SHOWN else text[: DESCRIPTION_SHOWN - 1] + "…"


def type_name(incident: dict[str, Any]) -> str:
    return str(incident.get("customType") or incident["type"])


def doer(notice: Notice) -> str:
    verb = "Raised" if notice.event.kind == RAISED else "Changed"
    return f"{verb} by {notice.audience.actor.name}"


def plain_text(notice: Notice) -> str:
    """The message without formatting: Slack's fallback, and the e-mail body."""
    incident = notice.incident
    lines = [
        headline(notice),
        f"Type: {type_name(incident)} · Priority: {shown(incident['priority'])} · "
        f"Stage: {shown(incident['stage'])} · State: {incident['state']}",
        "Assets: " + ", ".join(f"{a.name} ({a.link})" for a in notice.audience.assets),
        *change_lines(notice.event),
    ]
    if notice.event.message:
        lines.append(f"Message: {notice.event.message}")
    if description_start(notice):
        lines.append(description_start(notice))
    lines += [doer(notice), notice.link]
    return "\n".join(lines)
