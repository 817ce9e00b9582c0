"""What the client returns: plain, typed values built from the server's answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Most urgent first, as DataHub numbers them (CRITICAL is 0).
PRIORITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
INCIDENT_TYPES = ("FRESHNESS", "VOLUME", "FIELD", "SQL", "DATA_SCHEMA", "OPERATIONAL", "CUSTOM")
STATES = ("ACTIVE", "RESOLVED")
STAGES = ("TRIAGE", "INVESTIGATION", "WORK_IN_PROGRESS", "FIXED", "NO_ACTION_REQUIRED")


@dataclass(frozen=True)
class ActivityEntry:
    """One entry of an incident's timeline; the values are JSON text, as the server sends."""

    time: int
    actor: str
    kind: str
    previous_value: str | None
    new_value: str | None
    message: str | None
    via: str | None = None  # "MCP" for a change an agent made through Dataflare's MCP server


@dataclass(frozen=True)
class Incident:
    urn: str
    incident_type: str
    custom_type: str | None
    title: str | None
    description: str | None
    state: str
    stage: str | None
    message: str | None
    priority: str | None
    source_type: str | None
    dedup_key: str | None
    started_at: int | None
    created_at: int
    created_by: str
    updated_at: int
    updated_by: str
    assets: list[str]
    assignees: list[str]
    activity: list[ActivityEntry] = field(default_factory=list)  # filled by `get` only

    @classmethod
    def from_graphql(cls, data: dict[str, Any]) -> Incident:
        status = data["status"]
        return cls(
            urn=data["urn"],
            incident_type=data["incidentType"],
            custom_type=data.get("customType"),
            title=data.get("title"),
            description=data.get("description"),
            state=status["state"],
            stage=status.get("stage"),
            message=status.get("message"),
            priority=data.get("priority"),
            source_type=(data.get("source") or {}).get("type"),
            dedup_key=data.get("dedupKey"),
            started_at=data.get("startedAt"),
            created_at=data["created"]["time"],
            created_by=data["created"]["actor"],
            updated_at=status["lastUpdated"]["time"],
            updated_by=status["lastUpdated"]["actor"],
            assets=[e["urn"] for e in data.get("entities") or []],
            assignees=[a["urn"] for a in data.get("assignees") or [] if a],
            activity=[
                ActivityEntry(
                    time=e["time"],
                    actor=e["actor"],
                    kind=e["kind"],
                    previous_value=e.get("previousValue"),
                    new_value=e.get("newValue"),
                    message=e.get("message"),
                    via=e.get("via"),
                )
                for e in data.get("activity") or []
            ],
        )

    def to_graphql(self, with_activity: bool = True) -> dict[str, Any]:
        """The incident as the GraphQL API answers it, field names and nesting alike (what
        `from_graphql` reads): the JSON the command line prints."""
        data: dict[str, Any] = {
            "urn": self.urn,
            "incidentType": self.incident_type,
            "customType": self.custom_type,
            "title": self.title,
            "description": self.description,
            "priority": self.priority,
            "dedupKey": self.dedup_key,
            "startedAt": self.started_at,
            "status": {
                "state": self.state,
                "stage": self.stage,
                "message": self.message,
                "lastUpdated": {"time": self.updated_at, "actor": self.updated_by},
            },
            "source": None if self.source_type is None else {"type": self.source_type},
            "created": {"time": self.created_at, "actor": self.created_by},
            "entities": [{"urn": urn} for urn in self.assets],
            "assignees": [{"urn": urn} for urn in self.assignees],
        }
        if with_activity:
            data["activity"] = [
                {
                    "time": e.time,
                    "actor": e.actor,
                    "kind": e.kind,
                    "previousValue": e.previous_value,
                    "newValue": e.new_value,
                    "message": e.message,
                    "via": e.via,
                }
                for e in self.activity
            ]
        return data


@dataclass(frozen=True)
class IncidentPage:
    start: int
    count: int
    total: int
    incidents: list[Incident]


@dataclass(frozen=True)
class Health:
    """An asset's incident health: FAIL while any incident on it is active, else PASS."""

    status: str
    message: str | None
    active_incidents: int
    latest_incident_urn: str | None
    latest_incident_title: str | None
    last_activity_at: int | None

    @property
    def healthy(self) -> bool:
        return self.status == "PASS"

    @classmethod
    def from_graphql(cls, entries: list[dict[str, Any]] | None) -> Health:
        entry = next((e for e in entries or [] if e.get("type") == "INCIDENTS"), None)
        if entry is None:
            return cls("PASS", None, 0, None, None, None)
        details = entry.get("activeIncidentHealthDetails") or {}
        return cls(
            status=entry["status"],
            message=entry.get("message"),
            active_incidents=details.get("count", 0),
            latest_incident_urn=details.get("latestIncidentUrn"),
            latest_incident_title=details.get("latestIncidentTitle"),
            last_activity_at=details.get("lastActivityAt"),
        )


@dataclass(frozen=True)
class Asset:
    urn: str
    type: str
    name: str
    platform: str
    health: Health

    @classmethod
    def from_graphql(cls, data: dict[str, Any]) -> Asset:
        return cls(
            urn=data["urn"],
            type=data["type"],
            name=data.get("name") or data["urn"],
            platform=(data.get("platform") or {}).get("name", ""),
            health=Health.from_graphql(data.get("health")),
        )


@dataclass(frozen=True)
class SearchPage:
    start: int
    count: int
    total: int
    assets: list[Asset]


@dataclass(frozen=True)
class Caller:
    """The user a token acts for. `edits_incidents`: may raise and change incidents on every
    asset (Admin and Editor); others may only on assets they own."""

    urn: str
    username: str
    role: str | None
    edits_incidents: bool

    @classmethod
    def from_graphql(cls, data: dict[str, Any]) -> Caller:
        user = data["corpUser"]
        return cls(
            urn=user["urn"],
            username=user["username"],
            role=user.get("role"),
            edits_incidents=data["platformPrivileges"]["editEntityIncidents"],
        )
