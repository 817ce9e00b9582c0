"""What the client raises: the server's own message and code, or why it could not be reached."""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Anything that went wrong talking to Dataflare. `message` is fit to show a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ServerUnreachable(ClientError):
    """No answer: the server is down, the URL is wrong, or the request timed out."""


class ApiError(ClientError):
    """The server refused the request. `code` and `type` are its GraphQL `extensions`
    (400 BAD_REQUEST, 401 UNAUTHENTICATED, 403 UNAUTHORIZED, 404 NOT_FOUND, 409 CONFLICT);
    `errors` holds every error of the answer as sent."""

    def __init__(
        self,
        message: str,
        code: int | None = None,
        type: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.type = type
        self.errors = errors or []


class InvalidRequest(ApiError):
    """400: the input was wrong; the message names what."""


class AuthenticationFailed(ApiError):
    """401: no token, or one the server does not accept (unknown, revoked, expired)."""


class PermissionDenied(ApiError):
    """403: the token's user may not do this."""


class NotFound(ApiError):
    """404: no such incident."""


class Conflict(ApiError):
    """409: e.g. an incident id already in use."""


_BY_CODE: dict[int, type[ApiError]] = {
    400: InvalidRequest,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
}


def api_error(errors: list[dict[str, Any]], status: int | None = None) -> ApiError:
    """The exception for a GraphQL `errors` list (or a non-200 answer's), by its first code."""
    first = errors[0] if errors else {}
    extensions = first.get("extensions") or {}
    code = extensions.get("code", status)
    message = "; ".join(str(e.get("message", "")) for e in errors) or f"HTTP {status}"
    kind = _BY_CODE.get(code, ApiError) if isinstance(code, int) else ApiError
    return kind(message, code if isinstance(code, int) else None, extensions.get("type"), errors)
