"""Reading a request body without ever holding more than a limit of it."""

from __future__ import annotations

from starlette.requests import Request

from dataflare.core.errors import InvalidInput, TooLarge


def too_large(limit: int) -> TooLarge:
    return TooLarge(
        f"The request body is larger than the limit of {limit} bytes ({limit // 1024} KiB)."
    )


def check_declared_size(request: Request, limit: int) -> None:
    """Refuse at once a body whose Content-Length is over the limit (before reading it)."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    try:
        size = int(declared)
    except ValueError:
        raise InvalidInput("The Content-Length header is not a number.") from None
    if size > limit:
        raise too_large(limit)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused with TooLarge as soon as it passes `limit` bytes: by its
    Content-Length, or while streaming a body sent without one (chunked)."""
    check_declared_size(request, limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
