"""The web UI's routes. Pages read in one transaction; changes write in one, and the page
after a change is read in another (web/handling.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dataflare.core.limits import MAX_BODY_BYTES
from dataflare.db.database import Database
from dataflare.web import (
    assertions,
    assets,
    browse,
    bulk,
    incident_list,
    incidents,
    insights,
    settings,
)
from dataflare.web.handling import Change, Pages, View
from dataflare.web.static_files import FILES


def web_routes(db: Database, max_body_bytes: int = MAX_BODY_BYTES) -> list[BaseRoute]:
    pages = Pages(db, max_body_bytes)

    def read(view: View) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await pages.run(request, view)

        return endpoint

    def write(change: Change[Any]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await pages.run(request, change)

        return endpoint

    return [
        Route("/", read(browse.home), methods=["GET"]),
        Route("/search", read(browse.search_page), methods=["GET"]),
        Route("/asset/{urn:path}", read(assets.asset_page), methods=["GET"]),
        Route("/assertion/{urn:path}", read(assertions.assertion_page), methods=["GET"]),
        Route("/incidents", read(incident_list.incidents_page), methods=["GET"]),
        Route("/incidents/bulk", write(bulk.bulk_change), methods=["POST"]),
        Route("/incidents/raise", write(assets.raise_incident), methods=["POST"]),
        Route("/incident/status", write(incidents.change_status), methods=["POST"]),
        Route("/incident/edit", write(incidents.edit), methods=["POST"]),
        Route("/incident/{urn:path}", read(incidents.incident_page), methods=["GET"]),
        Route("/insights", read(insights.insights_page), methods=["GET"]),
        Route("/insights.csv", read(insights.insights_csv), methods=["GET"]),
        Route("/settings", read(settings.settings_page), methods=["GET"]),
        Route("/settings/tokens", write(settings.create_token), methods=["POST"]),
        Route("/settings/tokens/revoke", write(settings.revoke_token), methods=["POST"]),
        Route("/api/graphiql", read(settings.graphiql_page), methods=["GET"]),
        Route("/static/{path:path}", FILES.serve, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
    ]


async def favicon(request: Request) -> Response:
    """For browsers and tools that ask for /favicon.ico whatever the page says."""
    return await FILES.respond(request, "favicon.ico")
