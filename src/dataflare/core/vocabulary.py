"""The incident vocabulary, as DataHub's API names it: types, states, stages, sources and
priorities (stored as numbers, 0 the most urgent)."""

from __future__ import annotations

INCIDENT_TYPES = ("FRESHNESS", "VOLUME", "FIELD", "SQL", "DATA_SCHEMA", "OPERATIONAL", "CUSTOM")
STATES = ("ACTIVE", "RESOLVED")
STAGES = ("TRIAGE", "INVESTIGATION", "WORK_IN_PROGRESS", "FIXED", "NO_ACTION_REQUIRED")
SOURCE_TYPES = ("MANUAL", "ASSERTION_FAILURE")
PRIORITY_TO_NUMBER = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}
NUMBER_TO_PRIORITY = {number: name for name, number in PRIORITY_TO_NUMBER.items()}
