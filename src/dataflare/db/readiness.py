"""Whether the database answers and its schema is the one this code expects: two short
statements on a pooled connection, cheap enough for a load balancer to ask every second."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from dataflare.db.migrate import alembic_config

log = logging.getLogger("dataflare.db")


@dataclass(frozen=True)
class Readiness:
    reachable: bool
    revision: str | None = None  # the database's schema revision (None: never migrated)
    expected: str = ""

    @property
    def ready(self) -> bool:
        return self.reachable and self.revision == self.expected


@cache
def expected_revision() -> str:
    """The newest migration this code ships (read from the scripts once a process)."""
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None
    return head


def readiness(engine: Engine) -> Readiness:
    expected = expected_revision()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            try:
                with connection.begin_nested():
                    revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
            except SQLAlchemyError:  # no alembic_version table: never migrated
                revision = None
    except SQLAlchemyError as error:
        log.warning("readiness: the database did not answer: %s", type(error).__name__)
        return Readiness(False, None, expected)
    return Readiness(True, revision, expected)
