"""MCP over stdio (`dataflare mcp`): for an agent that starts its tools as a subprocess. The
tools talk to a Dataflare server over HTTP with a token, like the other remote commands, so
this needs no database and can run anywhere the server can be reached."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.context import ServerRequestContext
from mcp.server.stdio import stdio_server

from dataflare import __version__
from dataflare.client.client import DataflareClient
from dataflare.client.models import Caller
from dataflare.incidents.activity import MCP
from dataflare.mcp.server import Access, build_server


class RemoteAccess:
    """A fresh HTTP client per tool call, acting as the token's user."""

    def __init__(self, url: str | None, token: str | None, timeout: float) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def client(self) -> DataflareClient:
        return DataflareClient(self.url, self.token, timeout=self.timeout, via=MCP)

    def caller(self) -> Caller:
        with self.client() as client:
            return client.me()

    async def open(self, _: ServerRequestContext[Any]) -> Access:
        client = self.client()
        # Asked when a change tool is called: a role changed meanwhile counts at once.
        return Access(client, lambda: client.me().edits_incidents, "the token's user")

    async def lists_changes(self, _: ServerRequestContext[Any]) -> bool:
        return (await anyio.to_thread.run_sync(self.caller)).edits_incidents


def serve_stdio(access: RemoteAccess, read_only: bool) -> None:
    """Serve MCP on stdin and stdout until the client closes them."""
    server = build_server(access.open, access.lists_changes, read_only, __version__)

    async def run() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(run)
