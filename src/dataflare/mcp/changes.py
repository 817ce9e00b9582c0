"""The tools that change incidents: raise one, and move one to ACTIVE or RESOLVED. Listed only
for callers who may change incidents on any asset, and refused for everyone when the server
runs read-only (DATAFLARE_MCP_READ_ONLY=1)."""

from __future__ import annotations

from typing import Any

from dataflare.client.client import DataflareClient
from dataflare.core.errors import InvalidInput
from dataflare.mcp import results
from dataflare.mcp.results import Answer
from dataflare.mcp.spec import INCIDENT_TYPE, PRIORITY, STAGE, STATE, ToolSpec, text, urn

MAX_ASSETS = 100  # assets one raise may name


def raise_incident(client: DataflareClient, given: dict[str, Any]) -> Answer:
    one, many = given.get("resource_urn"), given.get("resource_urns")
    if (one is None) == (many is None):
        raise InvalidInput("Give the affected asset as resource_urn, or several as resource_urns.")
    assets = [one] if one is not None else list(many or [])
    incident_urn = client.raise_incident(
        assets,
        given["type"],
        title=given["title"],
        description=given.get("description"),
        priority=given.get("priority"),
        custom_type=given.get("custom_type"),
        dedup_key=given.get("dedup_key"),
    )
    found = client.get(incident_urn)
    raised_again = any(e.kind == "RAISED_AGAIN" for e in found.activity)
    what = (
        "was already active with this dedup_key: the raise was recorded in it"
        if (raised_again)
        else "raised"
    )
    return Answer(
        {"urn": incident_urn, "raised_again": raised_again, **results.incident(found)},
        f"{incident_urn} {what}, on {', '.join(found.assets)}.",
    )


def update_incident_status(client: DataflareClient, given: dict[str, Any]) -> Answer:
    incident_urn = given["urn"]
    client.update_status(
        incident_urn, given["state"], stage=given.get("stage"), message=given.get("message")
    )
    found = client.get(incident_urn)
    stage = f", stage {found.stage}" if found.stage else ""
    return Answer(results.incident(found), f"{incident_urn} is now {found.state}{stage}.")


CHANGE_TOOLS = (
    ToolSpec(
        "raise_incident",
        "Raise an incident",
        "Flag one or more assets as broken so that people and pipelines know: the assets turn "
        "unhealthy, their owners and the owners of downstream assets are notified, and circuit "
        "breakers stop on them. Give a dedup_key when the same check may fire again: while an "
        "incident raised with that key is active on the asset, its URN is returned instead of a "
        "new one. Returns the incident's URN.",
        {
            "resource_urn": urn("The affected asset's URN (or give resource_urns)."),
            "resource_urns": {
                "type": "array",
                "items": urn("An affected asset's URN."),
                "minItems": 1,
                "maxItems": MAX_ASSETS,
                "description": "Several affected assets; the first is the incident's main asset.",
            },
            "type": INCIDENT_TYPE,
            "title": text("A short title people will see in lists and notifications.", 500),
            "description": text("What is wrong, what was seen, and since when.", 10_000),
            "priority": PRIORITY,
            "custom_type": text("The kind of problem, when type is CUSTOM.", 200),
            "dedup_key": text("A stable key for the check or alert that found this.", 200),
        },
        raise_incident,
        required=("type", "title"),
        changes=True,
    ),
    ToolSpec(
        "update_incident_status",
        "Update an incident's status",
        "Resolve an incident (state RESOLVED) once the data is fixed, or reopen it (ACTIVE); "
        "optionally set its stage, and say why in message (kept in the timeline and sent to "
        "the people notified).",
        {
            "urn": urn("The incident's URN, urn:li:incident:<id>."),
            "state": STATE,
            "message": text("Why: what was done, or what is still wrong.", 10_000),
            "stage": STAGE,
        },
        update_incident_status,
        required=("urn", "state"),
        changes=True,
    ),
)
