"""The incident vocabulary and the checks every input goes through before anything is written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dataflare.core.errors import InvalidInput
from dataflare.core.limits import (
    MAX_DESCRIPTION_BYTES,
    MAX_INCIDENT_ASSETS,
    MAX_INCIDENT_ASSIGNEES,
    MAX_LABEL_CHARS,
    MAX_TITLE_CHARS,
)
from dataflare.core.text import check_bytes, check_epoch_ms, check_text
from dataflare.core.urns import (
    AssetRef,
    check_urn,
    dataset_of_column,
    entity_type_of,
    parse_actor,
    parse_asset,
)
from dataflare.core.vocabulary import (
    INCIDENT_TYPES,
    PRIORITY_TO_NUMBER,
    SOURCE_TYPES,
    STAGES,
    STATES,
)

# The state a soft-deleted incident's links hold (never the incident's own): every list,
# count and health reads the links, and leaves these out.
REMOVED = "REMOVED"
MAX_CUSTOM_TYPE_CHARS = MAX_ID_CHARS = MAX_DEDUP_KEY_CHARS = MAX_LABEL_CHARS
_ID_PATTERN = re.compile(r"[^\s(),]+")


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        shown = value if len(value) <= 100 else value[:100] + "..."
        raise InvalidInput(f"Invalid {what} '{shown}': expected one of {', '.join(choices)}.")
    return value


def _check_text(value: str | None, what: str, limit: int, blank: str = "empty") -> str | None:
    """An optional short text: when given, not blank and at most `limit` characters."""
    if value is None:
        return None
    check_text(value, what, limit)
    if not value.strip():
        raise InvalidInput(f"{what} must not be {blank} when given.")
    return value


def check_title(title: str | None) -> str | None:
    return _check_text(title, "Incident title", MAX_TITLE_CHARS)


def check_description(description: str | None) -> str | None:
    if description is None:
        return None
    return check_bytes(description, "Incident description", MAX_DESCRIPTION_BYTES)


def check_message(message: str | None) -> str | None:
    """A status message, recorded with a change of state or stage."""
    if message is None:
        return None
    return check_bytes(message, "Status message", MAX_DESCRIPTION_BYTES)


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
    if custom_type is not None:
        check_text(custom_type, "customType", MAX_CUSTOM_TYPE_CHARS)
    return custom_type.strip() if custom_type else None


def check_resources(resource_urn: str | None, resource_urns: list[str] | None) -> list[AssetRef]:
    urns = ([resource_urn] if resource_urn else []) + list(resource_urns or [])
    unique = list(dict.fromkeys(urns))
    if not unique:
        raise InvalidInput("At least 1 resource urn must be defined to raise an incident.")
    if len(unique) > MAX_INCIDENT_ASSETS:
        raise InvalidInput(
            f"An incident affects at most {MAX_INCIDENT_ASSETS} assets (got {len(unique)})."
        )
    refs = [parse_asset(urn) for urn in unique]
    # An incident on a column is on its dataset too: the dataset's page, health, search filter
    # and owners see it.
    named = set(unique)
    for ref in list(refs):
        dataset = dataset_of_column(ref)
        if dataset is not None and dataset not in named:
            named.add(dataset)
            refs.append(parse_asset(dataset))
    if len(refs) > MAX_INCIDENT_ASSETS:
        raise InvalidInput(
            f"An incident affects at most {MAX_INCIDENT_ASSETS} assets (got {len(refs)}, with "
            "the datasets of its columns)."
        )
    return refs


def check_assignees(assignee_urns: list[str] | None) -> list[str]:
    unique = list(dict.fromkeys(assignee_urns or []))
    if len(unique) > MAX_INCIDENT_ASSIGNEES:
        raise InvalidInput(
            f"An incident has at most {MAX_INCIDENT_ASSIGNEES} assignees (got {len(unique)})."
        )
    return [parse_actor(urn) for urn in unique]


def check_time(value: int | None, what: str) -> int | None:
    return None if value is None else check_epoch_ms(value, what)


def check_incident_id(incident_id: str | None) -> str | None:
    if incident_id is None:
        return None
    check_text(incident_id, "Incident id", MAX_ID_CHARS)
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


Stamp = tuple[int, str]  # (epoch milliseconds, actor URN): a DataHub AuditStamp
MAX_ACTOR_URN_CHARS = 300  # as stored with an incident


def check_stamp(time: object, actor: object, what: str) -> Stamp:
    """A time and who, as an incident sent as metadata states them."""
    if not isinstance(time, int) or isinstance(time, bool):
        raise InvalidInput(f"{what}.time: a time in epoch milliseconds is required, not {time!r}.")
    check_epoch_ms(time, f"{what}.time")
    if not isinstance(actor, str) or entity_type_of(actor) is None:
        raise InvalidInput(f"{what}.actor: a URN is required, e.g. urn:li:corpuser:datahub.")
    check_text(actor, f"{what}.actor", MAX_ACTOR_URN_CHARS)
    return time, actor


def check_source_urn(urn: str | None) -> str | None:
    """The entity that raised an incident (an assertion): any URN, when given."""
    if urn is None:
        return None
    check_urn(urn)
    if entity_type_of(urn) is None:
        raise InvalidInput(f"Invalid source URN '{urn[:100]}': expected urn:li:<type>:<key>.")
    return urn


def check_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of an update (updateIncident, or an incident sent again as metadata), each
    checked; those left out are left out."""
    checked: dict[str, Any] = {}
    if "title" in changes:
        checked["title"] = check_title(changes["title"])
    if "description" in changes:
        checked["description"] = check_description(changes["description"])
    if "started_at" in changes:
        if changes["started_at"] is None:
            raise InvalidInput("startedAt cannot be cleared; give a time in epoch milliseconds.")
        checked["started_at"] = check_time(changes["started_at"], "startedAt")
    if "priority" in changes:
        checked["priority"] = priority_number(changes["priority"])
    if "resource_urns" in changes:
        if not changes["resource_urns"]:
            raise InvalidInput("At least 1 resource urn must be defined for an incident.")
        checked["assets"] = check_resources(None, changes["resource_urns"])
    if "assignee_urns" in changes:
        checked["assignees"] = check_assignees(changes["assignee_urns"])
    if changes.get("status") is not None:
        status = changes["status"]
        check_state(status["state"])
        if status.get("stage") is not None:
            check_stage(status["stage"])
        check_message(status.get("message"))
        if status.get("lastUpdated") is not None:
            time, who = status["lastUpdated"]
            check_stamp(time, who, "status.lastUpdated")
        checked["status"] = status
    return checked
