"""The results table and the goal line."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

GOAL_RATIO = 0.5  # Dataflare should keep at least half the no-op's requests/s on SQLite
NO_OPS = ("no-op", "no-op loop")  # the baselines; ratios are taken against the faster
RAISES = ("raiseIncident", "raise.1000assets", "raise.newAsset")
P99_GOAL_MS = 100.0  # PostgreSQL raises at 32 connections (issue 14)

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
    ("srv ms", 7, ">"),  # CPU per request: the server's processes
    ("pg ms", 6, ">"),  # PostgreSQL's processes (the whole machine's)
    ("wrk ms", 6, ">"),  # separate delivery workers, when any
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
                    _cpu(s, "server_cpu_ms"),
                    _cpu(s, "postgres_cpu_ms"),
                    _cpu(s, "worker_cpu_ms"),
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


def _cpu(stats: dict[str, Any], key: str) -> str:
    value = stats.get(key)
    return "" if value is None or (key == "worker_cpu_ms" and not value) else f"{value:.2f}"


def spread_goal_lines(results: list[Result]) -> list[str]:
    """Raises each on a never-seen asset against raises on one asset: at least half as fast."""
    by = {(r.scenario, r.target): r.stats for r in results}
    lines = []
    for target in ("dataflare", "on sqlite"):
        one, new = by.get(("raiseIncident", target)), by.get(("raise.newAsset", target))
        if one and new and float(one["rps"]):
            ratio = float(new["rps"]) / float(one["rps"])
            registered = int(new["answered"]) - int(new["errors"])
            lines.append(
                f"Goal: a new asset each / one asset >= {GOAL_RATIO} ({target}, "
                f"{registered:,} assets registered): {ratio:.2f} "
                + ("met" if ratio >= GOAL_RATIO else "MISSED")
            )
    return lines


def postgres_goal_lines(
    results: list[Result], pgbench_tps: float | None, hot_row_tps: float | None, clients: int
) -> list[str]:
    """Dataflare on PostgreSQL against pgbench's TPC-B rate and against Dataflare on SQLite
    (--with-sqlite), both measured in this run, and its p99; and, for reference, raises on one
    asset against what PostgreSQL gets through one hot row."""
    by = {(r.scenario, r.target): r.stats for r in results}
    lines = []
    if pgbench_tps:
        lines.append(
            f"pgbench TPC-B-like, 16 clients, scale 10, same server: {pgbench_tps:,.0f} tps"
        )
    one_asset = by.get(("raiseIncident", "dataflare"))
    if hot_row_tps:
        lines.append(
            "pgbench on one hot row, a raise's shape (insert a row referencing it, update it, "
            f"commit), {clients} clients: {hot_row_tps:,.0f} tps"
            + (
                f"; raiseIncident reaches {float(one_asset['rps']) / hot_row_tps:.2f}x of it"
                if one_asset
                else ""
            )
        )
    for scenario in RAISES:
        stats = by.get((scenario, "dataflare"))
        if stats is None:
            continue
        parts = []
        if pgbench_tps:
            parts.append(_verdict("/ pgbench", float(stats["rps"]) / pgbench_tps))
        sqlite = by.get((scenario, "on sqlite"))
        if sqlite:
            parts.append(
                _verdict("/ Dataflare on SQLite", float(stats["rps"]) / float(sqlite["rps"]))
            )
        p99 = float(stats["p99_ms"])
        parts.append(f"p99 {p99:.0f} ms " + ("met" if p99 < P99_GOAL_MS else "MISSED"))
        lines.append(f"Goal, PostgreSQL {scenario}: " + ", ".join(parts))
    return lines


def _verdict(what: str, ratio: float) -> str:
    return f"{what} {ratio:.2f} " + ("met" if ratio >= GOAL_RATIO else "MISSED")
