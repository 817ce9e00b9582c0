"""How a sender reports that a delivery did not happen, and whether trying again may help."""

from __future__ import annotations


class DeliveryFailed(Exception):
    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after  # seconds the receiver asked us to wait (Retry-After)
        self.permanent = permanent  # retrying cannot help: the delivery is dead at once


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After in seconds; the HTTP-date form is not used by Slack and is ignored."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def http_failure(status: int, body: str, retry_after: str | None) -> DeliveryFailed:
    """A receiver's non-2xx answer: 429 and 5xx are worth retrying, other 4xx are not...
    except 408 (timeout), which is also retried."""
    transient = status in (408, 429) or status >= 500
    return DeliveryFailed(
        f"HTTP {status}: {body[:300]}",
        retry_after=retry_after_seconds(retry_after),
        permanent=not transient,
    )
