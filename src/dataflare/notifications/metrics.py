"""What the delivery worker counts as it goes: outcomes, and how long after the change each
notification arrived. Kept by the process that delivers (a server process, or a `dataflare
worker`, which shows no metrics of its own)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

DELIVERIES = Counter(
    "dataflare_notification_deliveries",
    "Delivery attempts by outcome: delivered, retry (failed, to be tried again), dead (given up).",
    ["outcome"],
)
LATENCY = Histogram(
    "dataflare_notification_delivery_latency_seconds",
    "From the change to its notification delivered, per delivery.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)


def delivered(event_at_ms: int, now_ms: int) -> None:
    DELIVERIES.labels("delivered").inc()
    LATENCY.observe(max(0, now_ms - event_at_ms) / 1000)


def failed(retrying: bool) -> None:
    DELIVERIES.labels("retry" if retrying else "dead").inc()
