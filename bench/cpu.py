"""CPU time of processes, read from Linux's /proc: what each side of a benchmark spent."""

from __future__ import annotations

import os
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
