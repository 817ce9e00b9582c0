"""The Dataflare Python SDK and circuit breaker. It talks HTTP only and imports nothing of the
server, so pipelines need just this package and httpx."""

from dataflare.client.breaker import (
    BlockingIncident,
    IncidentCircuitBreaker,
    IncidentCircuitBreakerConfig,
)
from dataflare.client.client import DataflareClient
from dataflare.client.errors import (
    ApiError,
    AuthenticationFailed,
    ClientError,
    Conflict,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ServerUnreachable,
)
from dataflare.client.models import ActivityEntry, Asset, Health, Incident, IncidentPage, SearchPage
from dataflare.client.urns import InvalidUrn

__all__ = [
    "ActivityEntry",
    "ApiError",
    "Asset",
    "AuthenticationFailed",
    "BlockingIncident",
    "ClientError",
    "Conflict",
    "DataflareClient",
    "Health",
    "Incident",
    "IncidentCircuitBreaker",
    "IncidentCircuitBreakerConfig",
    "IncidentPage",
    "InvalidRequest",
    "InvalidUrn",
    "NotFound",
    "PermissionDenied",
    "SearchPage",
    "ServerUnreachable",
]
