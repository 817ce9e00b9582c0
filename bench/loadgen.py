"""Running the load generator (load.py) as its own process, shared by both benchmarks."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

LOAD_SCRIPT = Path(__file__).resolve().parent / "load.py"


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


def run_load(port: int, target: str, token: str, args: argparse.Namespace) -> dict[str, Any]:
    """One closed-loop run against 127.0.0.1:port; `target` is `--scenario=...` or
    `--body-file=...`. Returns load.py's statistics."""
    command = [
        sys.executable,
        str(LOAD_SCRIPT),
        f"--port={port}",
        target,
        f"--concurrency={args.concurrency}",
        f"--warmup={args.warmup}",
        f"--duration={args.duration}",
        f"--max-requests={args.max_requests}",
        f"--drain={getattr(args, 'drain', 10.0)}",
    ]
    try:
        completed = subprocess.run(
            command,
            env=dict(os.environ, BENCH_TOKEN=token),  # not on the command line, where ps shows it
            capture_output=True,
            text=True,
            # load.py stops itself well before this
            timeout=args.warmup + args.duration + getattr(args, "drain", 10.0) + 60,
            check=False,
        )
    except subprocess.TimeoutExpired as error:  # subprocess.run has killed it
        raise BenchError(f"load generator did not finish: {error}") from error
    if completed.returncode != 0:
        raise BenchError(f"load generator failed ({completed.returncode}):\n{completed.stderr}")
    stats: dict[str, Any] = json.loads(completed.stdout)
    return stats
