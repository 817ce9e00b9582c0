"""Every API path also under `/api/gms`, as DataHub deployments are addressed behind their
frontend (a server URL ending in /api/gms): `/api/gms/aspects/...` is `/aspects/...`."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "/api/gms"
API_PATHS = (
    "/aspects",
    "/entities",  # and /entitiesV2
    "/relationships",
    "/openapi/",
    "/api/graphql",
    "/api/v2/graphql",
    "/config",
    "/health",
)


class GmsPrefix:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX + "/"):
            rest = scope["path"][len(PREFIX) :]
            if rest.startswith(API_PATHS):
                scope = dict(scope, path=rest)
                raw = scope.get("raw_path")
                if isinstance(raw, bytes) and raw.startswith(PREFIX.encode()):
                    scope["raw_path"] = raw[len(PREFIX) :]
        await self.app(scope, receive, send)
