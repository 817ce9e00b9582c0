"""The one error hierarchy. Services raise these; each surface translates them in one place."""

from __future__ import annotations


class DataflareError(Exception):
    """An error the caller can act on. `code` and `kind` follow DataHub's GraphQL extensions."""

    code = 400
    kind = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DataflareError):
    code = 400
    kind = "BAD_REQUEST"


class Unauthenticated(DataflareError):
    code = 401
    kind = "UNAUTHENTICATED"


class Forbidden(DataflareError):
    code = 403
    kind = "UNAUTHORIZED"


class NotFound(DataflareError):
    code = 404
    kind = "NOT_FOUND"


class Conflict(DataflareError):
    code = 409
    kind = "CONFLICT"


class RateLimited(DataflareError):
    code = 429
    kind = "TOO_MANY_REQUESTS"


class TooLarge(DataflareError):
    code = 413
    kind = "PAYLOAD_TOO_LARGE"
