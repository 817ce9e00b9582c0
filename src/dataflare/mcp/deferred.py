"""/mcp, with the MCP SDK imported on the first request to it. The SDK takes most of a second to
import (in a thread, it still holds the GIL the start needs): a server nobody asks for MCP
never pays it, and a start (every test's too) is that much shorter."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import ModuleType
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from dataflare.mcp.http import McpEndpoint

log = logging.getLogger("dataflare.mcp")

PATH = "/mcp"


class DeferredMcp:
    """The ASGI app at /mcp; `lifespan()` must run while the app serves. `build` makes the
    endpoint from the module `dataflare.mcp.http` once it is imported."""

    def __init__(self, build: Callable[[ModuleType], McpEndpoint]) -> None:
        self.build = build
        self.endpoint: McpEndpoint | None = None
        self.wanted = anyio.Event()  # a request came, or the server stops
        self.settled = anyio.Event()  # loaded, or failed to load

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        stop, self.wanted, self.settled = anyio.Event(), anyio.Event(), anyio.Event()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._serve, stop)
            try:
                yield
            finally:
                stop.set()
                self.wanted.set()

    async def _serve(self, stop: anyio.Event) -> None:
        """Loads the endpoint, then keeps its session manager running until the server stops
        (entered and left in this one task, as anyio requires)."""
        try:
            await self.wanted.wait()
            if stop.is_set():
                return
            module = await anyio.to_thread.run_sync(importlib.import_module, "dataflare.mcp.http")
            endpoint = self.build(module)
            async with endpoint.lifespan():
                self.endpoint = endpoint
                self.settled.set()
                await stop.wait()
        except Exception:
            log.exception("the MCP endpoint could not start; /mcp answers 503")
        finally:
            self.endpoint = None
            self.settled.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.wanted.set()
        await self.settled.wait()
        if self.endpoint is None:
            unavailable = JSONResponse(
                {"error": "unavailable", "error_description": "MCP is not available here."},
                status_code=503,
            )
            await unavailable(scope, receive, send)
            return
        await self.endpoint(scope, receive, send)
