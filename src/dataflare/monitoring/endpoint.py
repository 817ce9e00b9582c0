"""GET /metrics on the API's port, for a bearer token: the same tokens as the API, checked
the same way (present and well-formed before anything else, then in the database)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dataflare.access.service import Credentials, authenticate_request, check_presented
from dataflare.access.tokens import record_use
from dataflare.core.clock import now_ms
from dataflare.core.errors import Unauthenticated
from dataflare.db.database import Database
from dataflare.graphql.http import error_body
from dataflare.monitoring.exposition import CONTENT_TYPE, render, scrape_registry


class MetricsEndpoint:
    def __init__(self, database: Database, admin_token: str | None) -> None:
        self.database = database
        self.admin_token = admin_token
        self.registry = scrape_registry(database)

    async def handle(self, request: Request) -> Response:
        credentials = Credentials(authorization=request.headers.get("authorization"))
        try:
            check_presented(credentials)
            text = await run_in_threadpool(self._scrape, credentials)
        except Unauthenticated as refused:
            return JSONResponse({"errors": [error_body(refused)]}, status_code=refused.code)
        return Response(text, media_type=CONTENT_TYPE)

    def _scrape(self, credentials: Credentials) -> bytes:
        with self.database.session() as session:
            stale_token = authenticate_request(
                session, credentials, self.admin_token, now_ms()
            ).stale_token
        if stale_token is not None:
            with self.database.session(write=True) as session:
                record_use(session, stale_token, now_ms())
        return render(self.registry)
