"""Time as DataHub speaks it (milliseconds since the epoch), and how it is written for people
and for machines: always UTC."""

from __future__ import annotations

import time
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
