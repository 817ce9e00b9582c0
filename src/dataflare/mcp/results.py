"""What a tool answers, kept small: an agent's context is not to be flooded. Lists are capped
by `count`, long texts cut with a note saying so, and each answer carries a short summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataflare.client.models import ActivityEntry, Asset, Health, Incident

MAX_COUNT = 50  # results of one list tool call
DEFAULT_COUNT = 10
MAX_TEXT = 600  # characters of a description in a list
MAX_DETAIL_TEXT = 4_000  # characters of a description in get_incident
MAX_TIMELINE = 50  # newest timeline entries shown by get_incident


@dataclass(frozen=True)
class Answer:
    """A tool's structured result and the one-paragraph summary shown beside it."""

    data: dict[str, Any]
    summary: str


def clipped(text: str | None, limit: int = MAX_TEXT) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit]}… [truncated: {len(text) - limit} more characters]"


def health(found: Health) -> dict[str, Any]:
    return {
        "healthy": found.healthy,
        "active_incidents": found.active_incidents,
        "latest_incident_urn": found.latest_incident_urn,
        "latest_incident_title": found.latest_incident_title,
    }


def asset(found: Asset) -> dict[str, Any]:
    return {
        "urn": found.urn,
        "type": found.type,
        "name": found.name,
        "platform": found.platform,
        **health(found.health),
    }


def incident(found: Incident, text_limit: int = MAX_TEXT) -> dict[str, Any]:
    return {
        "urn": found.urn,
        "title": found.title,
        "type": found.incident_type,
        "custom_type": found.custom_type,
        "description": clipped(found.description, text_limit),
        "state": found.state,
        "stage": found.stage,
        "priority": found.priority,
        "assets": found.assets,
        "assignees": found.assignees,
        "created_at": found.created_at,
        "created_by": found.created_by,
        "updated_at": found.updated_at,
        "updated_by": found.updated_by,
        "dedup_key": found.dedup_key,
    }


def timeline_entry(entry: ActivityEntry) -> dict[str, Any]:
    return {
        "time": entry.time,
        "actor": entry.actor,
        "kind": entry.kind,
        "previous_value": clipped(entry.previous_value),
        "new_value": clipped(entry.new_value),
        "message": clipped(entry.message),
        "via": entry.via,
    }


def one_line(found: Incident) -> str:
    what = found.title or found.custom_type or found.incident_type
    priority = found.priority or "no priority"
    return f"{found.urn} [{found.state}, {found.incident_type}, {priority}] {what}"


def listed(lines: list[str], total: int, noun: str) -> str:
    """ "3 of 12 incidents:" and one line each."""
    head = f"{len(lines)} of {total} {noun}" + (":" if lines else ".")
    return "\n".join([head, *(f"- {line}" for line in lines)])
