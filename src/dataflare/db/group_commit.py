"""Group commit for SQLite: one thread runs the writes of concurrent requests together.

SQLite lets one writer in at a time, and committing costs more than the rest of a typical
write (each commit appends every page it touched to the WAL, so sixteen raises committed apart
write the same index pages sixteen times). So writes that arrive while one is running wait in a
queue, and the next transaction runs all of them and commits once. Every caller still gets its
answer only after the commit that holds its change.

Each work of a batch runs in a savepoint of its own: one that fails (a refused change, a
conflict) is rolled back alone and its caller gets its error, while the others go on and
commit. Only when the commit itself fails is each work run again, alone, in a transaction of
its own (counted in `reruns`). Work must therefore touch nothing but the session. Whatever goes
wrong in the writer thread, its callers get an error, never a hang, and a writer that has
stopped is started again by the next write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from dataflare.db.metrics import GROUP_COMMIT_BATCH

T = TypeVar("T")
Work = Callable[[Session], Any]
log = logging.getLogger("dataflare.db")

# Enough to amortise the commit; small enough that the first caller's answer is not held back
# long behind the others.
MAX_BATCH = 32
# While writes come in together, the writer waits this long after the first before taking the
# batch, so that the others (their requests still being read) join it rather than start the
# next one: fewer commits and GIL hand-overs (measured: context switches a write 3.7 -> 2.1,
# CPU a write down a sixth). A lone write, after a batch of one, does not wait.
GATHER_SECONDS = 0.0003


@dataclass
class _Job:
    work: Work
    # Where the outcome goes: a thread's Future, or an asyncio one of the given event loop.
    future: Future[Any] | asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop | None = None
    value: Any = None
    error: BaseException | None = None

    def settle(self) -> None:
        if self.future.done():  # an asyncio caller that gave up (its client went away)
            return
        if self.error is not None:
            self.future.set_exception(self.error)
        else:
            self.future.set_result(self.value)


class GroupCommit:
    """A writer thread that runs submitted work in shared transactions."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[Session]]) -> None:
        self._transaction = transaction
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        # Works run a second time, alone, because the commit of their batch failed.
        self.reruns = 0

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        """Run `work(session)` in a write transaction; the future holds its result after commit,
        or the exception it raised (then nothing it wrote was kept)."""
        future: Future[T] = Future()
        self._put(_Job(work, future))
        return future

    async def run(self, work: Callable[[Session], T]) -> T:
        """Like `submit`, awaited from an event loop. The answers of one batch reach the loop
        together, with one wake-up, rather than one per caller."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._put(_Job(work, future, loop))
        return await future

    def _put(self, job: _Job) -> None:
        self._ensure_started()
        self._jobs.put(job)

    def close(self) -> None:
        """Finish the queued work, then stop the thread."""
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(None)
            thread.join()

    def _ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="dataflare-sqlite-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        together = False  # did the last batch hold more than one write?
        while True:
            batch, stop = self._next_batch(gather=together)
            together = len(batch) > 1
            if batch:
                try:
                    self._commit(batch)
                except BaseException as exc:  # the writer's own failure: nothing was kept
                    log.exception("the SQLite writer failed on a batch of %d", len(batch))
                    for job in batch:
                        job.value, job.error = None, exc
                    _settle(batch)
            if stop:
                return

    def _next_batch(self, gather: bool) -> tuple[list[_Job], bool]:
        """The jobs waiting now (blocking for the first one); True once asked to stop."""
        first = self._jobs.get()
        if first is None:
            return [], True
        if gather:
            time.sleep(GATHER_SECONDS)
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return batch, True
            batch.append(job)
        return batch, False

    def _commit(self, batch: list[_Job]) -> None:
        GROUP_COMMIT_BATCH.observe(len(batch))
        if len(batch) == 1:
            self._run_alone(batch[0])
        else:
            try:
                self._run_together(batch)
            except Exception:  # the commit failed: each gets a transaction of its own
                log.warning(
                    "a batch of %d writes failed to commit; running them one by one",
                    len(batch),
                    exc_info=True,
                )
                self.reruns += len(batch)
                for job in batch:
                    self._run_alone(job)
        _settle(batch)

    def _run_together(self, batch: list[_Job]) -> None:
        with self._transaction() as session:
            for job in batch:
                job.value, job.error = None, None
                try:
                    with session.begin_nested():
                        job.value = job.work(session)
                        # Flush here, so that a failing write fails inside its own savepoint.
                        session.flush()
                except Exception as exc:  # this work's own failure: its savepoint is undone
                    job.value, job.error = None, exc

    def _run_alone(self, job: _Job) -> None:
        job.value, job.error = None, None
        try:
            with self._transaction() as session:
                job.value = job.work(session)
        except Exception as exc:  # the caller's to see, not ours
            job.value, job.error = None, exc


def _settle(batch: list[_Job]) -> None:
    """Hand each job its outcome: threads' futures at once, event loops' in one call each."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
    for job in batch:
        if job.loop is None:
            job.settle()
        else:
            by_loop.setdefault(job.loop, []).append(job)
    for loop, jobs in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(_settle_all, jobs)


def _settle_all(jobs: list[_Job]) -> None:
    for job in jobs:
        job.settle()
