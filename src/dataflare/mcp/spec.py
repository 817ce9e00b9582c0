"""A tool: its name, what it tells an agent, the JSON schema of its arguments, whether it
changes anything, and the function that runs it with a client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dataflare.client.client import DataflareClient
from dataflare.client.models import INCIDENT_TYPES, PRIORITIES, STAGES, STATES
from dataflare.mcp.results import MAX_COUNT, Answer

ASSET_TYPES = (
    "DATASET",
    "CHART",
    "DASHBOARD",
    "DATA_FLOW",
    "DATA_JOB",
    "MLMODEL",
    "MLMODEL_GROUP",
    "MLFEATURE",
    "MLFEATURE_TABLE",
    "SCHEMA_FIELD",
)

Run = Callable[[DataflareClient, dict[str, Any]], Answer]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    description: str
    properties: dict[str, Any]
    run: Run
    required: tuple[str, ...] = ()
    changes: bool = False  # listed only for callers who may change incidents

    def input_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": self.properties,
            "additionalProperties": False,
        }
        if self.required:
            schema["required"] = list(self.required)
        return schema


def text(description: str, max_length: int = 1_000) -> dict[str, Any]:
    return {"type": "string", "description": description, "minLength": 1, "maxLength": max_length}


def urn(description: str) -> dict[str, Any]:
    return {**text(description, 1_000), "pattern": "^urn:li:"}


def choice(values: tuple[str, ...], description: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values), "description": description}


def count(default: int) -> dict[str, Any]:
    return {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_COUNT,
        "default": default,
        "description": f"How many results to return (at most {MAX_COUNT}).",
    }


STATE = choice(STATES, "ACTIVE (still a problem) or RESOLVED.")
PRIORITY = choice(PRIORITIES, "CRITICAL is the most urgent, LOW the least.")
STAGE = choice(
    STAGES,
    "Where the work stands: TRIAGE, INVESTIGATION, WORK_IN_PROGRESS, then FIXED or "
    "NO_ACTION_REQUIRED.",
)
INCIDENT_TYPE = choice(
    INCIDENT_TYPES,
    "What kind of problem: FRESHNESS (late data), VOLUME (too few or many rows), FIELD (bad "
    "column values), SQL (a failed SQL check), DATA_SCHEMA (schema change), OPERATIONAL (a "
    "failed job or outage), CUSTOM (name it in custom_type).",
)
