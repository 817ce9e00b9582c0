"""Time as DataHub speaks it (milliseconds since the epoch), and how it is written for people
and for machines: always UTC."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def format_time(ms: int | None, *, seconds: bool = False, missing: str = "") -> str:
    """For people: `2026-11-30 09:15 UTC` (with seconds when asked); `missing` for no time."""
    if ms is None:
        return missing
    pattern = "%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime(pattern)


def iso_time(ms: int | None) -> str:
    """For machines (an HTML `datetime` attribute): ISO 8601 with its offset; empty for none."""
    return "" if ms is None else datetime.fromtimestamp(ms / 1000, UTC).isoformat()


# The key, in a session's `info`, of a fixed time that the session's changes carry instead of the
# clock's. Only code that writes history after the fact sets it, for its own transaction (the demo
# loader: `dataflare.ingest.demo.loading`); no surface does, so no request can choose its times.
AS_OF = "dataflare.as_of"


def now_for(info: Mapping[str, object]) -> int:
    """The time of a change made in a session with this `info`: its fixed time, or now."""
    fixed = info.get(AS_OF)
    return fixed if isinstance(fixed, int) else now_ms()
