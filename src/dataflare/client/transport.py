"""One GraphQL request over HTTP: the token, retries for idempotent calls, errors made clear."""

from __future__ import annotations

import time
from typing import Any, Protocol

import httpx

from dataflare.client.config import ClientConfig
from dataflare.client.errors import ApiError, ServerUnreachable, api_error

GRAPHQL_PATH = "/api/graphql"
# Sent by a client acting for an AI agent (the MCP server): its changes are marked in the
# incidents' timelines. The server accepts only the channels it knows.
VIA_HEADER = "X-Dataflare-Via"


class Transport(Protocol):
    """How a client's GraphQL documents reach a server: over HTTP (GraphQLTransport), or
    inside the server's own process (the MCP server's tools at /mcp)."""

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, idempotent: bool
    ) -> dict[str, Any]: ...

    def close(self) -> None: ...


class GraphQLTransport:
    def __init__(
        self,
        config: ClientConfig,
        retries: int = 3,
        backoff: float = 0.5,
        http: httpx.Client | None = None,
        via: str | None = None,
    ) -> None:
        self.config = config
        self.retries = retries
        self.backoff = backoff
        headers = {"Authorization": f"Bearer {config.token}"} if config.token else {}
        if via is not None:
            headers[VIA_HEADER] = via
        self.http = http or httpx.Client(base_url=config.url, timeout=config.timeout)
        self.http.headers.update(headers)

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, idempotent: bool
    ) -> dict[str, Any]:
        """The `data` of the answer; ApiError when the server refused, ServerUnreachable when
        it did not answer. Only idempotent calls are sent again after a network failure: a
        retried raise could otherwise open two incidents."""
        payload = {"query": query, "variables": variables or {}}
        attempts = 1 + (self.retries if idempotent else 0)
        for attempt in range(attempts):
            try:
                response = self.http.post(GRAPHQL_PATH, json=payload)
                break
            except httpx.TransportError as exc:
                if attempt + 1 == attempts:
                    raise ServerUnreachable(self._unreachable(exc)) from exc
                time.sleep(self.backoff * 2**attempt)
        return self._data(response)

    def close(self) -> None:
        self.http.close()

    def _unreachable(self, exc: httpx.TransportError) -> str:
        if isinstance(exc, httpx.TimeoutException):
            reason = f"no answer within {self.config.timeout:g}s"
        else:
            reason = str(exc) or type(exc).__name__
        return f"Cannot reach Dataflare at {self.config.url}: {reason}."

    def _data(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        return answer_data(response.status_code, body, self.config.url)


def answer_data(status: int, body: Any, where: str) -> dict[str, Any]:
    """The `data` of a GraphQL answer; ApiError for an error, or for anything not GraphQL."""
    if not isinstance(body, dict):
        raise ApiError(
            f"Unexpected answer from {where} (HTTP {status}, not GraphQL JSON): is this the "
            "address of a Dataflare server?",
            status,
        )
    errors = body.get("errors")
    if status != 200 or errors:
        raise api_error(errors or [], status)
    data: dict[str, Any] = body.get("data") or {}
    return data
