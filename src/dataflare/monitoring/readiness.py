"""GET /ready: 200 when the database answers and its schema is this code's, else 503 saying
which. Open without a token, like /health (which says only that the process is alive)."""

from __future__ import annotations

import anyio
from anyio import to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dataflare.db.database import Database
from dataflare.db.readiness import Readiness, readiness

TIMEOUT_SECONDS = 5.0  # a database that does not answer by then is unreachable


class ReadyEndpoint:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def handle(self, _: Request) -> Response:
        state: Readiness | None = None
        with anyio.move_on_after(TIMEOUT_SECONDS):
            state = await to_thread.run_sync(
                readiness, self.database.engine, abandon_on_cancel=True
            )
        if state is None or not state.reachable:
            return JSONResponse(
                {"status": "unavailable", "reason": "database unreachable"}, status_code=503
            )
        if not state.ready:
            found = state.revision or "none (never migrated)"
            return JSONResponse(
                {
                    "status": "unavailable",
                    "reason": f"migration revision {found} where {state.expected} is expected",
                    "revision": state.revision,
                    "expected": state.expected,
                },
                status_code=503,
            )
        return JSONResponse({"status": "ready"})
