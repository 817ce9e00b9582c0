"""Builds the Starlette application: routes, error handlers, lifespan."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from dataflare import __version__
from dataflare.access.sessions import signing_key
from dataflare.access.users import ensure_admin_exists
from dataflare.assertions import policy as assertion_policy
from dataflare.core.config import Settings
from dataflare.core.exposure import OFF
from dataflare.db.database import Database
from dataflare.graphql.http import GraphQLEndpoint
from dataflare.graphql.schema import build_schema
from dataflare.ingest import gms_reads
from dataflare.ingest.gms_prefix import GmsPrefix
from dataflare.ingest.gms_reads import GmsReads
from dataflare.ingest.http import IngestEndpoints
from dataflare.mcp.deferred import PATH as MCP_PATH
from dataflare.mcp.deferred import DeferredMcp
from dataflare.monitoring.endpoint import MetricsEndpoint
from dataflare.monitoring.http_requests import RequestMetrics
from dataflare.monitoring.multiprocess import forget_this_process
from dataflare.monitoring.readiness import ReadyEndpoint
from dataflare.notifications import config as notifications
from dataflare.notifications.worker import BackgroundWorker
from dataflare.web.auth import LoginViews
from dataflare.web.handling import error_page
from dataflare.web.routes import web_routes
from dataflare.web.security_headers import SecurityHeaders

log = logging.getLogger("dataflare")


def server_config() -> dict[str, object]:
    """What GET /config answers: the DataHub SDK refuses a server without "noCode": "true"."""
    return {
        "noCode": "true",
        "models": {},
        "patchCapable": False,
        "statefulIngestionCapable": False,
        "retention": "false",
        "timeZone": "GMT",
        "versions": {
            "acryldata/datahub": {"version": "v0.14.0", "commit": "dataflare"},
            "dataflare": {"version": __version__},
        },
        "datahub": {"serverType": "prod"},
        "telemetry": {"enabledCli": False, "enabledIngestion": False},
    }


async def config_endpoint(_: Request) -> Response:
    return JSONResponse(server_config())


async def health_endpoint(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _wants_page(request: Request) -> bool:
    """A browser asking for a page (not an API client): it gets the error as a page."""
    api = request.url.path.startswith(
        (
            "/api/",
            "/aspects",
            "/entities",
            "/relationships",
            "/openapi/",
            "/config",
            "/health",
            "/ready",
            "/metrics",
            MCP_PATH,
        )
    )
    return not api and "text/html" in request.headers.get("accept", "")


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _wants_page(request):
        message = "There is no such page." if exc.status_code == 404 else str(exc.detail)
        return error_page(request, exc.status_code, message, None)
    return JSONResponse(
        {"errors": [{"message": exc.detail, "extensions": {"code": exc.status_code}}]},
        status_code=exc.status_code,
    )


async def unexpected_error(request: Request, exc: Exception) -> Response:
    request_id = uuid.uuid4().hex[:12]
    log.error("request %s failed", request_id, exc_info=exc)
    if _wants_page(request):
        message = f"Something went wrong on our side (request id {request_id})."
        return error_page(request, 500, message, None)
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"internal error (request id {request_id})",
                    "extensions": {"code": 500, "type": "SERVER_ERROR"},
                }
            ]
        },
        status_code=500,
    )


class Dataflare(Starlette):
    measure_requests = False  # count and time requests for the metrics

    def build_middleware_stack(self) -> ASGIApp:
        # Outside all of Starlette's own layers, the 500 page of `unexpected_error` included:
        # it is answered by the outermost one, so a middleware added the usual way misses it.
        app = SecurityHeaders(super().build_middleware_stack())
        return GmsPrefix(RequestMetrics(app) if self.measure_requests else app)


def create_app(
    settings: Settings,
    db: Database | None = None,
    notification_config: notifications.NotificationConfig | None = None,
) -> Starlette:
    # A database handed in belongs to the caller, who may share it (tests, several apps on one
    # engine) and disposes it; the app disposes only the one it makes. Disposing a shared engine
    # while another user holds a connection orphans that connection: it stays open until the
    # garbage collector finds it.
    owned = db is None
    policy = assertion_policy.load(settings.home)  # checked whole at start
    database = db or Database(settings.database_url)
    notify = notification_config or notifications.load(settings.home)
    assertion_policy.install(policy)
    graphql = GraphQLEndpoint(
        build_schema(), database, settings.admin_token, settings.max_body_bytes
    )
    login = LoginViews(database, settings.max_body_bytes)
    mcp = DeferredMcp(
        lambda module: module.McpEndpoint(
            graphql, database, settings.admin_token, settings.mcp_read_only, settings.max_body_bytes
        )
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        with database.session(write=True) as session:
            ensure_admin_exists(session)  # DATAFLARE_ADMIN_TOKEN acts as this user
            signing_key(session)  # made once, before requests that only read it
        worker = BackgroundWorker(database, notify) if settings.notify_in_server else None
        if worker:
            worker.start()
        try:
            async with mcp.lifespan():
                yield
        finally:
            if worker:
                worker.stop()
            forget_this_process()
            if owned:
                database.dispose()

    ingest = IngestEndpoints(database, settings.admin_token, settings.max_ingest_bytes)
    reads = GmsReads(database, settings.admin_token)
    routes: list[BaseRoute] = [
        Route("/aspects", ingest.aspects, methods=["POST"]),
        Route("/aspects/", ingest.aspects, methods=["POST"]),  # `datahub put` writes this
        Route("/entities", ingest.entities, methods=["POST"]),
        Route("/aspects/{urn:path}", reads.endpoint(gms_reads.get_aspect), methods=["GET"]),
        Route("/entitiesV2", reads.endpoint(gms_reads.batch_get_entities), methods=["GET"]),
        Route("/entitiesV2/{urn:path}", reads.endpoint(gms_reads.get_entity), methods=["GET"]),
        Route("/relationships", reads.endpoint(gms_reads.get_relationships), methods=["GET"]),
        Route(
            "/openapi/relationships/v1/",
            reads.endpoint(gms_reads.get_related_entities),
            methods=["GET"],
        ),
        Route("/api/graphql", graphql.handle, methods=["POST"]),
        Route("/api/v2/graphql", graphql.handle, methods=["POST"]),
        Route(MCP_PATH, mcp, methods=["POST"]),  # no server-sent stream: GET is a 405
        Route("/config", config_endpoint, methods=["GET"]),
        Route("/health", health_endpoint, methods=["GET"]),
        Route("/ready", ReadyEndpoint(database).handle, methods=["GET"]),
        Route("/login", login.page, methods=["GET"]),
        Route("/login", login.login, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"]),
        *web_routes(database, settings.max_body_bytes),
    ]
    if settings.metrics.on_main_port:
        metrics = MetricsEndpoint(database, settings.admin_token)
        routes.append(Route("/metrics", metrics.handle, methods=["GET"]))
    app = Dataflare(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error, Exception: unexpected_error},
    )
    app.measure_requests = settings.metrics.mode != OFF
    app.state.graphql = graphql
    return app
