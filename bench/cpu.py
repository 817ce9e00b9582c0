"""CPU time of processes, read from Linux's /proc: what each side of a benchmark spent."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (which may hold spaces)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def process_cpu(pid: int) -> float:
    """Seconds of CPU a process has used (user + system), and its children that ended and were
    waited for: PostgreSQL's backends that close during a run are counted in the postmaster's.
    0 when it is gone."""
    fields = _stat(pid)
    return sum(int(field) for field in fields[11:15]) / TICKS if fields else 0.0


def _children(pids: set[int]) -> set[int]:
    found = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[1]) in pids:  # fields[1]: the parent's pid
                found.add(int(entry.name))
    return found


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of a process and of every process below it (uvicorn's workers), by pid."""
    tree = {pid}
    while more := _children(tree) - tree:
        tree |= more
    return {member: process_cpu(member) for member in tree}


def named_cpu(name: str) -> dict[int, float]:
    """CPU seconds of every process of this machine whose command is `name` (e.g. postgres)."""
    spent = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            command = Path(f"/proc/{entry.name}/comm").read_text().strip()
        except OSError:
            continue
        if command == name:
            spent[int(entry.name)] = process_cpu(int(entry.name))
    return spent


def spent_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings; processes born meanwhile count from 0."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def reference_ms(rounds: int = 5) -> float:
    """The best of `rounds` times of a fixed piece of pure Python (sorting, a dict, tuples):
    printed beside timings, it tells a slow phase of a shared machine from slow code. A run
    whose reference is 30% higher ran everything about 30% slower."""
    best = math.inf
    for _ in range(rounds):
        began = time.perf_counter()
        rows = [(i, i * 7 % 1_000, i % 13) for i in range(200_000)]
        rows.sort(key=lambda row: row[1])
        counted: dict[int, int] = {}
        for _, key, _ in rows:
            counted[key] = counted.get(key, 0) + 1
        best = min(best, time.perf_counter() - began)
    return best * 1000
