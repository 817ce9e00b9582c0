"""The Python SDK: raise, update, resolve and read incidents, and search assets, over HTTP."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from dataflare.client import documents as doc
from dataflare.client.config import ClientConfig
from dataflare.client.errors import NotFound
from dataflare.client.models import Asset, Caller, Health, Incident, IncidentPage, SearchPage
from dataflare.client.transport import GraphQLTransport, Transport
from dataflare.client.urns import check_asset_urn


class DataflareClient:
    """A client of one Dataflare server.

    `url` and `token` default to DATAFLARE_URL and DATAFLARE_TOKEN (or DataHub's
    DATAHUB_GMS_URL and DATAHUB_GMS_TOKEN). Failures raise `ClientError` subclasses carrying the
    server's message and code. Reads (and raises given a `dedup_key`) are retried `retries`
    times after a network failure; other changes never are. `via="mcp"` marks the changes
    made through this client as an agent's; `transport` replaces HTTP altogether.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float | None = None,
        retries: int = 3,
        backoff: float = 0.5,
        http: httpx.Client | None = None,
        via: str | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.config = ClientConfig.resolve(url, token, timeout)
        self.transport: Transport = transport or GraphQLTransport(
            self.config, retries, backoff, http, via
        )

    def __enter__(self) -> DataflareClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, idempotent: bool = False
    ) -> dict[str, Any]:
        """Any GraphQL document; returns its `data`. Say `idempotent=True` for reads."""
        return self.transport.execute(query, variables, idempotent=idempotent)

    # Changes

    def raise_incident(
        self,
        resource_urn: str | list[str],
        type: str,
        *,
        title: str | None = None,
        description: str | None = None,
        priority: str | None = None,
        custom_type: str | None = None,
        source_type: str | None = None,
        stage: str | None = None,
        message: str | None = None,
        assignee_urns: list[str] | None = None,
        started_at: int | None = None,
        incident_id: str | None = None,
        dedup_key: str | None = None,
    ) -> str:
        """Raise an incident on one asset (or a list of them); return its URN. With a
        `dedup_key`, while an incident raised with that key is active on the asset, its URN is
        returned instead and the raise is recorded in its timeline."""
        urns = [resource_urn] if isinstance(resource_urn, str) else list(resource_urn)
        given: dict[str, Any] = {
            "type": type,
            "resourceUrns": urns,
            "title": title,
            "description": description,
            "priority": priority,
            "customType": custom_type,
            "source": {"type": source_type} if source_type else None,
            "assigneeUrns": assignee_urns,
            "startedAt": started_at,
            "id": incident_id,
            "dedupKey": dedup_key,
        }
        if stage or message:
            given["status"] = {"state": "ACTIVE", "stage": stage, "message": message}
        data = self.execute(
            doc.RAISE,
            {"input": {k: v for k, v in given.items() if v is not None}},
            idempotent=dedup_key is not None,
        )
        urn: str = data["raiseIncident"]
        return urn

    def update_status(
        self, urn: str, state: str, *, stage: str | None = None, message: str | None = None
    ) -> None:
        """Move an incident to ACTIVE or RESOLVED (and a stage, when given)."""
        status = {"state": state, "stage": stage, "message": message}
        self.execute(doc.UPDATE_STATUS, {"urn": urn, "input": status})

    def update(self, urn: str, **fields: Any) -> None:
        """Change some of an incident's fields, named as in GraphQL's UpdateIncidentInput
        (title, description, priority, startedAt, assigneeUrns, resourceUrns, status, and
        Dataflare's type and customType)."""
        self.execute(doc.UPDATE, {"urn": urn, "input": fields})

    def resolve(self, urn: str, message: str | None = None, *, stage: str | None = None) -> None:
        self.update_status(urn, "RESOLVED", stage=stage, message=message)

    def reopen(self, urn: str, message: str | None = None) -> None:
        self.update_status(urn, "ACTIVE", message=message)

    def resolve_by_dedup_key(
        self, resource_urn: str, dedup_key: str, message: str | None = None
    ) -> str | None:
        """Resolve the active incident raised with `dedup_key` on the asset: its URN, or None
        when there was none (so a passing check may call this every run)."""
        variables = {"urn": resource_urn, "key": dedup_key, "message": message}
        data = self.execute(doc.RESOLVE_BY_DEDUP_KEY, variables, idempotent=True)
        urn: str | None = data["resolveIncidentByDedupKey"]
        return urn

    # Reads

    def get(self, urn: str) -> Incident:
        """One incident with its timeline; NotFound when there is none."""
        found = self.execute(doc.GET, {"urn": urn}, idempotent=True).get("entity")
        if not found:
            raise NotFound(f"Incident {urn} does not exist.", 404, "NOT_FOUND")
        return Incident.from_graphql(found)

    def list_incidents(
        self,
        urn: str,
        state: str | None = None,
        *,
        stage: str | None = None,
        priority: str | None = None,
        start: int = 0,
        count: int = 20,
    ) -> IncidentPage:
        """A page of an asset's incidents, newest first. InvalidUrn for a URN that is not an
        asset's: the server would answer it with no incidents."""
        check_asset_urn(urn)
        variables = {
            "urn": urn,
            "state": state,
            "stage": stage,
            "priority": priority,
            "start": start,
            "count": count,
        }
        entity = self.execute(doc.LIST, variables, idempotent=True).get("entity") or {}
        page = entity.get("incidents") or {"start": start, "count": count, "total": 0}
        return IncidentPage(
            start=page["start"],
            count=page["count"],
            total=page["total"],
            incidents=[Incident.from_graphql(i) for i in page.get("incidents") or []],
        )

    def search_incidents(
        self,
        query: str = "*",
        *,
        asset_urns: list[str] | None = None,
        state: str | None = None,
        priority: str | None = None,
        stage: str | None = None,
        assignee_urns: list[str] | None = None,
        start: int = 0,
        count: int = 20,
    ) -> IncidentPage:
        """A page of the incidents across all assets (or on `asset_urns`), newest first: every
        word of `query` in the title, description or custom type ("*" for all)."""
        chosen = {
            "entities": asset_urns,
            "state": [state] if state else None,
            "priority": [priority] if priority else None,
            "stage": [stage] if stage else None,
            "assignees": assignee_urns,
        }
        criteria = [{"field": f, "values": v} for f, v in chosen.items() if v]
        given: dict[str, Any] = {
            "types": ["INCIDENT"],
            "query": query,
            "start": start,
            "count": count,
        }
        if criteria:
            given["orFilters"] = [{"and": criteria}]
        data = self.execute(doc.SEARCH_INCIDENTS, {"input": given}, idempotent=True)
        page = data["searchAcrossEntities"]
        return IncidentPage(
            start=page["start"],
            count=page["count"],
            total=page["total"],
            incidents=[Incident.from_graphql(r["entity"]) for r in page["searchResults"]],
        )

    def me(self) -> Caller:
        """Who the token acts for, and whether they may change incidents on any asset."""
        return Caller.from_graphql(self.execute(doc.ME, idempotent=True)["me"])

    def health(self, urn: str) -> Health:
        """An asset's health. InvalidUrn for a URN that is not an asset's (it would read as
        healthy)."""
        check_asset_urn(urn)
        entity = self.execute(doc.HEALTH, {"urn": urn}, idempotent=True).get("entity") or {}
        return Health.from_graphql(entity.get("health"))

    def search(
        self,
        query: str = "*",
        *,
        types: list[str] | None = None,
        has_active_incidents: bool | None = None,
        filters: dict[str, list[str]] | None = None,
        start: int = 0,
        count: int = 10,
    ) -> SearchPage:
        """Search assets by name, description or URN ("*" for all); `filters` maps a field
        (platform, owners, _entityType, urn, name) to the values any of which may match."""
        criteria = [{"field": f, "values": v} for f, v in (filters or {}).items()]
        if has_active_incidents is not None:
            flag = "true" if has_active_incidents else "false"
            criteria.append({"field": "hasActiveIncidents", "values": [flag]})
        given: dict[str, Any] = {"query": query, "start": start, "count": count}
        if types:
            given["types"] = types
        if criteria:
            given["orFilters"] = [{"and": criteria}]
        page = self.execute(doc.SEARCH, {"input": given}, idempotent=True)["searchAcrossEntities"]
        return SearchPage(
            start=page["start"],
            count=page["count"],
            total=page["total"],
            assets=[Asset.from_graphql(r["entity"]) for r in page["searchResults"]],
        )
