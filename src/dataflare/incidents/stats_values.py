"""The values incidentStats answers with, and the nearest rank its medians and p90s are."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Durations:
    """Milliseconds; median and p90 are None when there is nothing to measure."""

    count: int = 0
    median: int | None = None
    p90: int | None = None


@dataclass
class Figures:
    raised: int = 0
    resolved: int = 0
    open_at_end: int = 0
    time_to_acknowledge: Durations = field(default_factory=Durations)
    time_to_resolve: Durations = field(default_factory=Durations)


def rank(ordered: Sequence[int], quantile: float) -> int:
    """Nearest rank: the value at position ceil(q * n) of the sorted values, counted from 1."""
    return int(ordered[max(1, math.ceil(quantile * len(ordered))) - 1])


def durations(values: list[int]) -> Durations:
    """Count, median and p90 of the values (sorted here, in place: one pass if they are)."""
    if not values:
        return Durations()
    values.sort()
    return Durations(len(values), rank(values, 0.5), rank(values, 0.9))
