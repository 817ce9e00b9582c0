"""Security headers on every response: the browser's defences for our pages.

Every response says `nosniff`; an HTML one (page, error page, htmx fragment) also carries a
Content-Security-Policy with scripts and styles from this site only, refuses to be framed,
keeps its referrer to this site, and is never stored (so Back after signing out cannot show a
signed-in page from the cache). Over HTTPS every response asks browsers to keep to HTTPS.

Pure ASGI, and cheap: it looks at the start of a response only, and a JSON answer gets one
header added to its list.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# What GraphiQL (graphiql@3, vendored) needs besides, found with a real browser: its
# stylesheet embeds its fonts as data: URLs, and its dialogs (settings, short keys) add a
# <style> element at run time to stop the page behind them scrolling. The bundle fixes that
# element's nonce when it is built, so no nonce can be given to it: inline <style> elements
# are allowed on this page alone (style attributes in HTML still are not).
GRAPHIQL_POLICY = POLICY + "; style-src-elem 'self' 'unsafe-inline'; font-src 'self' data:"
POLICIES = {"/api/graphiql": GRAPHIQL_POLICY}

NOSNIFF = (b"x-content-type-options", b"nosniff")
HSTS = (b"strict-transport-security", b"max-age=31536000")
CACHE_CONTROL = b"cache-control"
CONTENT_TYPE = b"content-type"
HTML = b"text/html"


def _html_headers(policy: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
    ]


PAGE_HEADERS = _html_headers(POLICY)
PATH_HEADERS = {path: _html_headers(policy) for path, policy in POLICIES.items()}


class SecurityHeaders:
    """ASGI middleware adding the headers above to each HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", ()))
                headers.append(NOSNIFF)
                if https:
                    headers.append(HSTS)
                if _is_html(headers):
                    headers.extend(PATH_HEADERS.get(path, PAGE_HEADERS))
                    if not any(name.lower() == CACHE_CONTROL for name, _ in headers):
                        headers.append((CACHE_CONTROL, b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name.lower() == CONTENT_TYPE:
            return value.startswith(HTML)
    return False
