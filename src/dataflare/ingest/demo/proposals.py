"""The demo's metadata, written as the DataHub REST emitter sends it."""

from __future__ import annotations

import json
from typing import Any


def dataset(platform: str, name: str) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:{platform},{name},PROD)"


def mcp(urn: str, aspect_name: str, value: dict[str, Any]) -> dict[str, Any]:
    """A proposal as the DataHub REST emitter sends it."""
    return {
        "entityType": urn.split(":")[2],
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": aspect_name,
        "aspect": {"value": json.dumps(value), "contentType": "application/json"},
    }


def owned(urn: str, *owners: str) -> dict[str, Any]:
    return mcp(
        urn, "ownership", {"owners": [{"owner": o, "type": "TECHNICAL_OWNER"} for o in owners]}
    )


def user(urn: str, name: str, title: str, slack: str) -> list[dict[str, Any]]:
    login = urn.rsplit(":", 1)[1]
    return [
        mcp(
            urn,
            "corpUserInfo",
            {"displayName": name, "email": f"{login}@example.com", "title": title, "active": True},
        ),
        mcp(urn, "corpUserEditableInfo", {"slack": slack}),
    ]


def group(urn: str, name: str) -> dict[str, Any]:
    return mcp(
        urn, "corpGroupInfo", {"displayName": name, "admins": [], "members": [], "groups": []}
    )
