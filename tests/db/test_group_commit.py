"""Group commit on SQLite: writes that queue up share one transaction, each answer comes after
the commit holding it, and a write that fails takes nothing else with it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataflare.db.database import Database
from dataflare.db.group_commit import GroupCommit

CREATE = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE NOT NULL)"
INSERT = "INSERT INTO notes (body) VALUES (:body)"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'batches.db'}")
    with database.session(write=True) as session:
        session.execute(text(CREATE))
    yield database
    database.dispose()


def batches_of(database: Database) -> GroupCommit:
    assert database.group_commit is not None, "SQLite databases batch their writes"
    return database.group_commit


def notes(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(text("SELECT body FROM notes ORDER BY body")))


def insert(body: str) -> Any:
    def work(session: Session) -> tuple[str, int]:
        session.execute(text(INSERT), {"body": body})
        return body, id(session)

    return work


def held_writer(batches: GroupCommit) -> tuple[threading.Event, Future[Any]]:
    """Keep the writer thread busy until the event is set, so that what is submitted meanwhile
    queues up and runs as one batch."""
    running, release = threading.Event(), threading.Event()

    def hold(_: Session) -> None:
        running.set()
        release.wait(10)

    blocker = batches.submit(hold)
    assert running.wait(10)
    return release, blocker


def test_writes_that_queue_up_commit_together(database: Database) -> None:
    batches = batches_of(database)
    release, blocker = held_writer(batches)
    futures = [batches.submit(insert(f"note {i:02}")) for i in range(10)]
    release.set()

    answers = [future.result(10) for future in futures]
    blocker.result(10)

    assert [body for body, _ in answers] == [f"note {i:02}" for i in range(10)]
    assert len({session for _, session in answers}) == 1, "one transaction for the ten"
    assert notes(database) == [f"note {i:02}" for i in range(10)]


def test_each_answer_comes_after_its_commit(database: Database) -> None:
    batches = batches_of(database)
    for i in range(20):
        body, _ = batches.submit(insert(f"note {i:02}")).result(10)
        assert body in notes(database), "visible to another transaction when answered"


def test_a_failing_write_fails_alone(database: Database) -> None:
    batches = batches_of(database)
    batches.submit(insert("taken")).result(10)
    release, _ = held_writer(batches)

    def insert_then_fail(session: Session) -> None:
        session.execute(text(INSERT), {"body": "half written"})
        raise ValueError("the work's own error")

    good = [batches.submit(insert(f"good {i}")) for i in range(3)]
    failing = batches.submit(insert_then_fail)
    duplicate = batches.submit(insert("taken"))
    more = [batches.submit(insert(f"more {i}")) for i in range(3)]
    release.set()

    with pytest.raises(ValueError, match="the work's own error"):
        failing.result(10)
    with pytest.raises(IntegrityError):
        duplicate.result(10)
    for future in good + more:
        future.result(10)
    assert notes(database) == sorted(
        ["taken"] + [f"good {i}" for i in range(3)] + [f"more {i}" for i in range(3)]
    ), "nothing of the failed works was kept, everything of the others was"


def test_closing_finishes_the_queued_work(database: Database) -> None:
    batches = batches_of(database)
    release, _ = held_writer(batches)
    futures = [batches.submit(insert(f"note {i}")) for i in range(5)]
    release.set()
    batches.close()

    assert all(future.done() and future.exception() is None for future in futures)
    assert len(notes(database)) == 5
    # A later write starts the writer again.
    batches.submit(insert("after close")).result(10)
    assert "after close" in notes(database)


def test_postgresql_needs_no_batches() -> None:
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        assert database.group_commit is None
    finally:
        database.dispose()


def test_an_event_loop_awaits_its_writes(database: Database) -> None:
    batches = batches_of(database)

    def fail(_: Session) -> None:
        raise ValueError("refused")

    async def main() -> tuple[list[Any], BaseException | None]:
        release, _ = held_writer(batches)
        tasks = [asyncio.ensure_future(batches.run(insert(f"note {i}"))) for i in range(4)]
        await asyncio.sleep(0.05)  # all four are queued behind the held writer
        release.set()
        answers = await asyncio.gather(*tasks)
        try:
            await batches.run(fail)
        except ValueError as error:
            return answers, error
        return answers, None

    answers, error = asyncio.run(main())
    assert [body for body, _ in answers] == [f"note {i}" for i in range(4)]
    assert len({session for _, session in answers}) == 1, "one batch, one transaction"
    assert isinstance(error, ValueError) and str(error) == "refused"
    assert notes(database) == [f"note {i}" for i in range(4)]


def test_a_failing_write_is_not_run_again(database: Database) -> None:
    batches = batches_of(database)
    runs: list[str] = []
    release, _ = held_writer(batches)

    def counted(body: str) -> Any:
        def work(session: Session) -> str:
            runs.append(body)
            session.execute(text(INSERT), {"body": body})
            if body == "bad":
                raise ValueError("refused")
            return body

        return work

    futures = [batches.submit(counted(b)) for b in ("one", "bad", "two", "three")]
    release.set()

    assert [f.exception(10) is None for f in futures] == [True, False, True, True]
    assert sorted(runs) == sorted(["one", "bad", "two", "three"]), "each work ran once"
    assert batches.reruns == 0
    assert notes(database) == ["one", "three", "two"]


class WriterStopped(BaseException):
    """Not an Exception: what would end a thread that catches only those."""


def test_a_writer_failure_answers_every_caller_and_the_next_write_works(
    database: Database,
) -> None:
    batches = batches_of(database)
    release, _ = held_writer(batches)

    def stop_the_writer(_: Session) -> None:
        raise WriterStopped("gone")

    doomed = [batches.submit(insert("lost")), batches.submit(stop_the_writer)]
    release.set()

    for future in doomed:
        with pytest.raises(WriterStopped):
            future.result(10)  # an error, not a hang
    assert batches.submit(insert("after")).result(10)[0] == "after"
    assert notes(database) == ["after"], "the failed batch kept nothing"


def test_a_writer_thread_that_died_is_started_again(database: Database) -> None:
    batches = batches_of(database)
    batches.submit(insert("first")).result(10)
    thread = batches._thread
    assert thread is not None
    batches._jobs.put(None)  # ends the thread as close() would, without telling the object
    thread.join(10)

    assert batches.submit(insert("second")).result(10)[0] == "second"
    assert batches._thread is not thread
