"""Statements run on the driver's cursor: the same answers as through SQLAlchemy, on both
databases, values held by the statement itself included."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from dataflare.catalog.models import ASSETS
from dataflare.db.database import Database
from dataflare.db.driver import DriverStatement, driver_insert
from tests.statements import statements

REGISTER = driver_insert(ASSETS, ["urn", "kind", "platform", "name", "created_at"], returning="id")
BUMP = DriverStatement(
    update(ASSETS)
    .where(ASSETS.c.id == bindparam("asset_id"))
    .values(active_incidents=ASSETS.c.active_incidents + 2)  # the 2 is the statement's own
)
NAMES = DriverStatement(
    select(ASSETS.c.name, ASSETS.c.active_incidents)
    .where(ASSETS.c.platform == bindparam("platform"))
    .order_by(ASSETS.c.name)
)


def asset(name: str) -> dict[str, object]:
    urn = f"urn:li:dataset:(urn:li:dataPlatform:hive,{name},PROD)"
    return {"urn": urn, "kind": "dataset", "platform": "hive", "name": name, "created_at": 1}


def test_raw_statements_read_and_write_in_the_session_transaction(db: Database) -> None:
    with db.session(write=True) as session:
        connection = session.connection()
        first = REGISTER.scalar(connection, asset("a"))
        second = REGISTER.scalar(connection, asset("b"))
        BUMP.run_many(connection, [{"asset_id": first}, {"asset_id": second}])
        BUMP.run(connection, {"asset_id": first})
        assert NAMES.rows(connection, {"platform": "hive"}) == [("a", 4), ("b", 2)]

    with db.session() as session:
        found = session.execute(select(ASSETS.c.name, ASSETS.c.active_incidents)).all()
    assert sorted(tuple(row) for row in found) == [("a", 4), ("b", 2)]
    with db.session() as session:
        assert NAMES.scalar(session.connection(), {"platform": "kafka"}) is None


def test_raw_statements_roll_back_with_the_session(db: Database) -> None:
    try:
        with db.session(write=True) as session:
            REGISTER.scalar(session.connection(), asset("gone"))
            raise RuntimeError("abandon")
    except RuntimeError:
        pass
    with db.session() as session:
        assert NAMES.rows(session.connection(), {"platform": "hive"}) == []


def test_driver_statements_are_heard_by_statement_listeners(db: Database) -> None:
    with statements(db.engine) as seen, db.session(write=True) as session:
        connection = session.connection()
        first = REGISTER.scalar(connection, asset("a"))
        BUMP.run_many(connection, [{"asset_id": first}])
        BUMP.run(connection, {"asset_id": first})
        NAMES.rows(connection, {"platform": "hive"})

    driver = [REGISTER, BUMP, BUMP, NAMES]
    assert seen == [s.sql_for(db.engine.dialect) for s in driver]
