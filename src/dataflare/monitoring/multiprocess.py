"""Several server processes (`dataflare serve --workers N`): each writes its metrics to files
in a folder of its own making (PROMETHEUS_MULTIPROC_DIR), and a scrape adds them up."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import multiprocess

DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"


def directory() -> str | None:
    return os.environ.get(DIRECTORY) or None


@contextmanager
def shared_directory(workers: int) -> Iterator[None]:
    """For more than one worker: a new, empty folder named in the environment the worker
    processes inherit (set before they start, so their metrics go there), removed at the end.
    One worker keeps its metrics in memory."""
    if workers == 1:
        yield
        return
    path = tempfile.mkdtemp(prefix="dataflare-metrics-")
    os.environ[DIRECTORY] = path
    try:
        yield
    finally:
        os.environ.pop(DIRECTORY, None)
        shutil.rmtree(path, ignore_errors=True)


def forget_this_process() -> None:
    """A worker that stops takes its live gauges (connections in use) with it."""
    path = directory()
    if path is not None:
        multiprocess.mark_process_dead(os.getpid(), path)  # type: ignore[no-untyped-call]
