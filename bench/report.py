"""The results table and the goal line."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

GOAL_RATIO = 0.5  # Dataflare should keep at least half the no-op's requests/s on SQLite
NO_OPS = ("no-op", "no-op loop")  # the baselines; ratios are taken against the faster

COLUMNS = (
    ("scenario", 18, "<"),
    ("target", 10, "<"),
    ("req/s", 9, ">"),
    ("p50 ms", 8, ">"),
    ("p99 ms", 8, ">"),
    ("errors", 7, ">"),
    ("req B", 6, ">"),
    ("resp B", 7, ">"),
    ("dataflare/no-op", 16, ">"),  # against the faster no-op
)


@dataclass(frozen=True)
class Result:
    scenario: str
    target: str
    stats: dict[str, Any]  # what bench/load.py printed


def _row(cells: list[str]) -> str:
    return "  ".join(
        f"{cell:{align}{width}}" for cell, (_, width, align) in zip(cells, COLUMNS, strict=True)
    )


def ratios(results: list[Result]) -> dict[str, float]:
    """Per scenario: Dataflare's requests/s divided by the faster no-op's."""
    rps = {(r.scenario, r.target): float(r.stats["rps"]) for r in results}
    out: dict[str, float] = {}
    for scenario, target in rps:
        fastest = max((rps.get((scenario, n), 0.0) for n in NO_OPS), default=0.0)
        if target == "dataflare" and fastest:
            out[scenario] = rps[(scenario, "dataflare")] / fastest
    return out


def table(results: list[Result]) -> str:
    by_scenario = ratios(results)
    lines = [_row([name for name, _, _ in COLUMNS]), _row(["-" * width for _, width, _ in COLUMNS])]
    for r in results:
        s = r.stats
        ratio = by_scenario.get(r.scenario) if r.target == "dataflare" else None
        lines.append(
            _row(
                [
                    r.scenario,
                    r.target,
                    f"{s['rps']:.0f}",
                    _ms(s["p50_ms"]),
                    _ms(s["p99_ms"]),
                    str(s["errors"]),
                    str(s["request_bytes"]),
                    str(s["response_bytes"]),
                    f"{ratio:.2f}" if ratio is not None else "",
                ]
            )
        )
    return "\n".join(lines)


def goal_line(results: list[Result], database: str) -> str:
    parts = []
    for scenario, ratio in ratios(results).items():
        verdict = "met" if ratio >= GOAL_RATIO else "MISSED"
        parts.append(f"{scenario} {ratio:.2f} {verdict}")
    where = "" if database == "sqlite" else f" (this run is on {database}: for reference only)"
    goal = f"Goal: dataflare / the faster no-op, req/s >= {GOAL_RATIO} on SQLite{where}: "
    return goal + ", ".join(parts)


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"
