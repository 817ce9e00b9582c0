"""db/commit.end_with: writes kept to go with the COMMIT in one round trip, only where that is
safe (PostgreSQL, a transaction said to end after one change, nothing else asked for its end,
no savepoint), and what the ORM still holds written before them, inside the transaction."""

from __future__ import annotations

from sqlalchemy import func, select

from dataflare.catalog.models import ASSETS, Asset
from dataflare.db.commit import before_commit, end_with, ends_after_one_change
from dataflare.db.database import Database
from dataflare.db.driver import driver_insert
from tests.statements import statements

_INSERT_ASSET = driver_insert(ASSETS, ["urn", "kind", "platform", "name", "created_at"])


def _asset(name: str) -> dict[str, object]:
    return {
        "urn": f"urn:li:dataset:(urn:li:dataPlatform:hive,{name},PROD)",
        "kind": "dataset",
        "platform": "hive",
        "name": name,
        "created_at": 1,
    }


def _names(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Asset.name).order_by(Asset.name)))


def test_kept_writes_ride_the_commit_after_what_the_orm_holds(
    db: Database, database_url: str
) -> None:
    postgres = database_url.startswith("postgresql")
    with statements(db.engine) as sent, db.session(write=True) as session:
        ends_after_one_change(session)
        session.connection()  # the transaction is open
        session.add(Asset(**_asset("held_by_the_orm")))
        assert end_with(session, [(_INSERT_ASSET, _asset("kept"))]) is postgres
        if not postgres:  # refused: the caller runs it itself
            _INSERT_ASSET.run(session.connection(), _asset("kept"))
    assert _names(db) == ["held_by_the_orm", "kept"]
    if postgres:
        assert sent[-1].startswith("INSERT INTO assets") and sent[-1].endswith("; COMMIT")
        assert "held_by_the_orm" not in sent[-1]
        assert any(s.startswith("INSERT INTO assets") for s in sent[:-1])  # flushed first


def test_kept_writes_roll_back_with_the_rest(db: Database) -> None:
    try:
        with db.session(write=True) as session:
            ends_after_one_change(session)
            session.connection()
            end_with(session, [(_INSERT_ASSET, _asset("kept"))])
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert _names(db) == []


def test_nothing_is_kept_where_it_would_not_be_safe(db: Database) -> None:
    write = [(_INSERT_ASSET, _asset("kept"))]
    with db.session(write=True) as session:  # not said to end after one change
        assert not end_with(session, write)
    with db.session(write=True) as session:
        ends_after_one_change(session)
        before_commit(session, "a step", lambda _session: None)  # something else comes last
        assert not end_with(session, write)
    with db.session(write=True) as session:
        ends_after_one_change(session)
        with session.begin_nested():  # a savepoint may still roll back
            assert not end_with(session, write)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ASSETS)) == 0
