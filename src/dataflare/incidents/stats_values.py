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
    exact: bool = True  # False: read from the rollups' buckets (incidents/stats_rollups.py)


@dataclass
class Figures:
    raised: int = 0
    resolved: int = 0
    open_at_end: int = 0
    time_to_acknowledge: Durations = field(default_factory=Durations)
    time_to_resolve: Durations = field(default_factory=Durations)


def position(quantile: float, count: int) -> int:
    """The nearest rank's position among `count` sorted values: ceil(q * n), counted from 1."""
    return max(1, math.ceil(quantile * count))


def rank(ordered: Sequence[int], quantile: float) -> int:
    """Nearest rank: the value at position ceil(q * n) of the sorted values, counted from 1."""
    return int(ordered[position(quantile, len(ordered)) - 1])


def durations(values: list[int]) -> Durations:
    """Count, median and p90 of the values (sorted here, in place: one pass if they are)."""
    if not values:
        return Durations()
    values.sort()
    return Durations(len(values), rank(values, 0.5), rank(values, 0.9))


@dataclass(frozen=True)
class StatsFilters:
    platforms: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()

    @property
    def narrowed(self) -> bool:
        """Whether any filter is given."""
        return bool(self.platforms or self.owners or self.assets or self.types or self.priorities)


@dataclass(frozen=True)
class Bucket:
    start: int
    end: int
    raised: int
    resolved: int
    open_at_end: int


@dataclass(frozen=True)
class NoisyAsset:
    urn: str
    name: str | None
    raised: int


@dataclass
class Stats:
    start: int
    end: int
    totals: Figures
    groups: dict[str, Figures] = field(default_factory=dict)
    buckets: list[Bucket] = field(default_factory=list)
    noisiest: list[NoisyAsset] = field(default_factory=list)


def walked_back(
    start: int,
    end: int,
    width: int,
    raised: dict[int, int],
    resolved: dict[int, int],
    open_at_end: int,
) -> list[Bucket]:
    """The buckets from their counts ({bucket number: count}), the open ones found walking back
    from the open count at the end: each bucket's start had its raises fewer and its
    resolutions more."""
    count = math.ceil((end - start) / width)
    open_then = open_at_end
    buckets = []
    for number in reversed(range(count)):
        bucket_start = start + number * width
        buckets.append(
            Bucket(
                bucket_start,
                min(bucket_start + width, end),
                raised.get(number, 0),
                resolved.get(number, 0),
                open_then,
            )
        )
        open_then += resolved.get(number, 0) - raised.get(number, 0)
    return buckets[::-1]
