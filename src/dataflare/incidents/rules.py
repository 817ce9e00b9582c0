"""The incident vocabulary and the checks every input goes through before anything is written."""

from __future__ import annotations

import re

from dataflare.core.errors import InvalidInput
from dataflare.core.urns import AssetRef, parse_actor, parse_asset
from dataflare.core.vocabulary import (
    INCIDENT_TYPES,
    PRIORITY_TO_NUMBER,
    SOURCE_TYPES,
    STAGES,
    STATES,
)

MAX_TITLE_CHARS = 500
MAX_DESCRIPTION_BYTES = 64 * 1024
MAX_CUSTOM_TYPE_CHARS = 200
MAX_ID_CHARS = 200
MAX_DEDUP_KEY_CHARS = 200
_ID_PATTERN = re.compile(r"[^\s(),]+")


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise InvalidInput(f"Invalid {what} '{value}': expected one of {', '.join(choices)}.")
    return value


def _check_text(value: str | None, what: str, limit: int, blank: str = "empty") -> str | None:
    """An optional short text: when given, not blank and at most `limit` characters."""
    if value is None:
        return None
    if not value.strip():
        raise InvalidInput(f"{what} must not be {blank} when given.")
    if len(value) > limit:
        raise InvalidInput(f"{what} is {len(value)} characters long; the limit is {limit}.")
    return value


def check_title(title: str | None) -> str | None:
    return _check_text(title, "Incident title", MAX_TITLE_CHARS)


def check_description(description: str | None) -> str | None:
    if description is not None and len(description.encode()) > MAX_DESCRIPTION_BYTES:
        size = len(description.encode())
        raise InvalidInput(
            f"Incident description is {size} bytes long; the limit is {MAX_DESCRIPTION_BYTES} "
            "bytes (64 KiB)."
        )
    return description


def check_state(value: str) -> str:
    return check_choice(value, STATES, "incident state")


def check_stage(value: str) -> str:
    return check_choice(value, STAGES, "incident stage")


def check_source_type(value: str) -> str:
    return check_choice(value, SOURCE_TYPES, "source type")


def check_custom_type(incident_type: str, custom_type: str | None) -> str | None:
    check_choice(incident_type, INCIDENT_TYPES, "incident type")
    if incident_type == "CUSTOM" and not (custom_type and custom_type.strip()):
        raise InvalidInput("Failed to raise incident: customType is required when type is CUSTOM")
    if custom_type is not None and len(custom_type) > MAX_CUSTOM_TYPE_CHARS:
        raise InvalidInput(f"customType must be at most {MAX_CUSTOM_TYPE_CHARS} characters.")
    return custom_type.strip() if custom_type else None


def check_resources(resource_urn: str | None, resource_urns: list[str] | None) -> list[AssetRef]:
    urns = ([resource_urn] if resource_urn else []) + list(resource_urns or [])
    unique = list(dict.fromkeys(urns))
    if not unique:
        raise InvalidInput("At least 1 resource urn must be defined to raise an incident.")
    return [parse_asset(urn) for urn in unique]


def check_assignees(assignee_urns: list[str] | None) -> list[str]:
    return [parse_actor(urn) for urn in dict.fromkeys(assignee_urns or [])]


def check_time(value: int | None, what: str) -> int | None:
    if value is not None and value < 0:
        raise InvalidInput(f"{what} must be a time in epoch milliseconds, not {value}.")
    return value


def check_incident_id(incident_id: str | None) -> str | None:
    if incident_id is None:
        return None
    if not incident_id.strip():
        raise InvalidInput("Incident id must not be blank.")
    if len(incident_id) > MAX_ID_CHARS or not _ID_PATTERN.fullmatch(incident_id):
        raise InvalidInput(
            f"Invalid incident id '{incident_id[:MAX_ID_CHARS]}': use at most {MAX_ID_CHARS} "
            "characters, without spaces, commas or parentheses."
        )
    return incident_id


def check_dedup_key(key: str | None) -> str | None:
    return _check_text(key, "dedupKey", MAX_DEDUP_KEY_CHARS, blank="blank")


def priority_number(priority: str | None) -> int | None:
    if priority is None:
        return None
    return PRIORITY_TO_NUMBER[check_choice(priority, tuple(PRIORITY_TO_NUMBER), "priority")]
