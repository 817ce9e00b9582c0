"""The incident circuit breaker: should a pipeline stop because its data is known to be bad?

Configured like the DataHub SDK's circuit breakers (`datahub_host`, `datahub_token`, `timeout`),
plus how far upstream to look and which incidents count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dataflare.client import documents as doc
from dataflare.client.client import DataflareClient
from dataflare.client.models import PRIORITIES, Incident
from dataflare.client.urns import check_asset_urn

PAGE = 100  # lineage results, or incidents of one asset, per request
# Active incidents asked with each upstream asset: most have few; one with more is read whole.
INCIDENTS_WITH_EACH = 10
MAX_DEGREE_FILTER = 3  # the server groups lineage degrees as "1", "2" and "3+"


@dataclass
class IncidentCircuitBreakerConfig:
    datahub_host: str | None = None  # None: DATAFLARE_URL, then DATAHUB_GMS_URL
    datahub_token: str | None = None  # None: DATAFLARE_TOKEN, then DATAHUB_GMS_TOKEN
    timeout: float | None = None  # seconds per request
    upstream_depth: int = 0  # also look this many lineage hops upstream (0: the asset alone)
    min_priority: str | None = None  # e.g. "HIGH": only CRITICAL and HIGH incidents count
    ignore_types: Iterable[str] = field(default_factory=tuple)  # incident or custom types

    def __post_init__(self) -> None:
        if self.upstream_depth < 0:
            raise ValueError(f"upstream_depth must be 0 or more, not {self.upstream_depth}.")
        if self.min_priority is not None and self.min_priority not in PRIORITIES:
            raise ValueError(
                f"Invalid min_priority '{self.min_priority}': expected one of "
                f"{', '.join(PRIORITIES)}."
            )
        self.ignore_types = tuple(self.ignore_types)


@dataclass(frozen=True)
class BlockingIncident:
    """Why the breaker is open: an active incident on the asset or `degree` hops upstream."""

    asset_urn: str
    degree: int  # 0: the asset checked itself
    incident: Incident

    def describe(self) -> str:
        hops = "1 hop" if self.degree == 1 else f"{self.degree} hops"
        where = "the asset itself" if self.degree == 0 else f"{hops} upstream"
        what = self.incident.title or self.incident.custom_type or self.incident.incident_type
        priority = self.incident.priority or "no priority"
        return (
            f"{self.asset_urn} ({where}): {self.incident.urn} [{self.incident.incident_type}, "
            f"{priority}] {what}"
        )


class IncidentCircuitBreaker:
    """`is_circuit_breaker_active(urn)` is True when an active incident that counts is on the
    asset or on one up to `upstream_depth` hops upstream; `blocking_incidents(urn)` says which."""

    def __init__(
        self, config: IncidentCircuitBreakerConfig, client: DataflareClient | None = None
    ) -> None:
        self.config = config
        self._owns_client = client is None
        self.client = client or DataflareClient(
            config.datahub_host, config.datahub_token, timeout=config.timeout
        )

    def __enter__(self) -> IncidentCircuitBreaker:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections of the client this breaker made (not of one passed in)."""
        if self._owns_client:
            self.client.close()

    def is_circuit_breaker_active(self, urn: str) -> bool:
        return bool(self.blocking_incidents(urn))

    def blocking_incidents(self, urn: str) -> list[BlockingIncident]:
        """Every active incident that counts, nearest assets first."""
        check_asset_urn(urn)
        found = [BlockingIncident(urn, 0, i) for i in self._active_on(urn) if self._counts(i)]
        if self.config.upstream_depth > 0:
            found += [b for b in self._upstream(urn) if self._counts(b.incident)]
        return found

    def _counts(self, incident: Incident) -> bool:
        ignored = self.config.ignore_types
        if incident.incident_type in ignored or (incident.custom_type or "") in ignored:
            return False
        if self.config.min_priority is None:
            return True
        # An incident without a priority is not known to be as urgent as asked.
        limit = PRIORITIES.index(self.config.min_priority)
        return incident.priority is not None and PRIORITIES.index(incident.priority) <= limit

    def _active_on(self, urn: str) -> list[Incident]:
        incidents: list[Incident] = []
        while True:
            page = self.client.list_incidents(urn, "ACTIVE", start=len(incidents), count=PAGE)
            incidents += page.incidents
            if not page.incidents or len(incidents) >= page.total:
                return incidents

    def _upstream(self, urn: str) -> list[BlockingIncident]:
        depth = self.config.upstream_depth
        degrees = [str(d) for d in range(1, min(depth, MAX_DEGREE_FILTER - 1) + 1)]
        if depth >= MAX_DEGREE_FILTER:
            degrees.append(f"{MAX_DEGREE_FILTER}+")
        filters = [
            {"field": "hasActiveIncidents", "values": ["true"]},
            {"field": "degree", "values": degrees},
        ]
        found: list[BlockingIncident] = []
        start = 0
        while True:
            given = {
                "urn": urn,
                "direction": "UPSTREAM",
                "query": "*",
                "start": start,
                "count": PAGE,
                "orFilters": [{"and": filters}],
            }
            data = self.client.execute(
                doc.BROKEN_UPSTREAM, {"input": given, "count": INCIDENTS_WITH_EACH}, idempotent=True
            )
            page = data["searchAcrossLineage"]
            for result in page["searchResults"]:
                if result["degree"] <= depth:
                    found += self._blocking(result)
            start += len(page["searchResults"])
            if not page["searchResults"] or start >= page["total"]:
                return sorted(found, key=lambda b: (b.degree, b.asset_urn))

    def _blocking(self, result: dict[str, Any]) -> list[BlockingIncident]:
        entity = result["entity"]
        page = entity.get("incidents") or {}
        incidents = [Incident.from_graphql(i) for i in page.get("incidents") or []]
        if page.get("total", 0) > len(incidents):  # more than one page: read them all
            incidents = self._active_on(entity["urn"])
        return [BlockingIncident(entity["urn"], result["degree"], i) for i in incidents]
