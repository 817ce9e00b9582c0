"""MCP over streamable HTTP at /mcp, inside `dataflare serve`.

A request needs a bearer token (401 at once without one, before its body is read), checked in
the database like the API's. Stateless: every request stands alone, so any server process
behind a load balancer answers any of them. The tools' GraphQL documents run through the
GraphQL endpoint in this process, as the token's user and marked as MCP: the same rules,
limits and errors as over HTTP, without a network hop."""

from __future__ import annotations

import json
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio.from_thread
from mcp.server.context import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from dataflare import __version__
from dataflare.access.roles import EDIT_ENTITY_INCIDENTS, Caller
from dataflare.access.service import Credentials, authenticate_request, check_presented
from dataflare.client.client import DataflareClient
from dataflare.client.transport import answer_data
from dataflare.core.clock import now_ms
from dataflare.core.errors import Unauthenticated
from dataflare.db.database import Database
from dataflare.graphql.http import GraphQLEndpoint
from dataflare.incidents.activity import MCP
from dataflare.mcp.server import Access, build_server

_CALLER = "dataflare.mcp.caller"  # the authenticated caller, kept in the request's scope


class LocalTransport:
    """The SDK's GraphQL requests answered by this process's endpoint, as one caller. Runs in
    a worker thread (the tool's) and hands each request to the event loop."""

    def __init__(self, graphql: GraphQLEndpoint, credentials: Credentials) -> None:
        self.graphql = graphql
        self.credentials = credentials

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, idempotent: bool
    ) -> dict[str, Any]:
        raw = json.dumps({"query": query, "variables": variables or {}}).encode()
        status, body = anyio.from_thread.run(self.graphql.answer, self.credentials, raw, MCP)
        return answer_data(status, body, "this server")

    def close(self) -> None:
        pass


class McpEndpoint:
    """The ASGI app at /mcp; `lifespan()` must run while the app serves."""

    def __init__(
        self,
        graphql: GraphQLEndpoint,
        db: Database,
        admin_token: str | None,
        read_only: bool,
        max_body_bytes: int,
    ) -> None:
        self.graphql = graphql
        self.db = db
        self.admin_token = admin_token
        server = build_server(self._open_access, self._lists_changes, read_only, __version__)
        self.manager = StreamableHTTPSessionManager(
            app=server, stateless=True, json_response=True, max_request_body_size=max_body_bytes
        )
        self.asgi = StreamableHTTPASGIApp(self.manager)

    def lifespan(self) -> AbstractAsyncContextManager[None]:
        return self.manager.run()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Bearer tokens only: a browser's session cookie is not an agent's credential.
        credentials = Credentials(authorization=Request(scope).headers.get("authorization"))
        try:
            check_presented(credentials)
            caller = await run_in_threadpool(self._authenticate, credentials)
        except Unauthenticated as refused:
            response = JSONResponse(
                {"error": "unauthorized", "error_description": refused.message},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="dataflare"'},
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})[_CALLER] = caller
        await self.asgi(scope, receive, send)

    def _authenticate(self, credentials: Credentials) -> Caller:
        with self.db.session() as session:
            return authenticate_request(session, credentials, self.admin_token, now_ms()).caller

    async def _open_access(self, ctx: ServerRequestContext[Any]) -> Access:
        request = _request(ctx)
        caller: Caller = request.scope["state"][_CALLER]
        credentials = Credentials(authorization=request.headers.get("authorization"))
        client = DataflareClient(transport=LocalTransport(self.graphql, credentials))
        return Access(client, lambda: caller.has(EDIT_ENTITY_INCIDENTS), _named(caller))

    async def _lists_changes(self, ctx: ServerRequestContext[Any]) -> bool:
        caller: Caller = _request(ctx).scope["state"][_CALLER]
        return caller.has(EDIT_ENTITY_INCIDENTS)


def _request(ctx: ServerRequestContext[Any]) -> Request:
    request = ctx.request
    if not isinstance(request, Request):
        raise RuntimeError("an MCP request over HTTP without its HTTP request")
    return request


def _named(caller: Caller) -> str:
    return f"{caller.urn} (role {caller.role})"
