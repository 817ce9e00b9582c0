"""Assertion tables: each check as its `assertionInfo` describes it, and its runs (a time
series, pruned by age)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from dataflare.db.base import Base


class Assertion(Base):
    __tablename__ = "assertions"
    # An asset's assertions (Dataset.assertions, its ASSERTIONS health) from one index.
    __table_args__ = (Index("ix_assertions_asset", "asset_id", "removed", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    urn: Mapped[str] = mapped_column(String(512), unique=True)
    # Null until its assertionInfo arrives (a run may come first).
    assertion_type: Mapped[str | None] = mapped_column(String(32))
    # The asset checked: from the info's entity (or dataset), else from a run's asserteeUrn.
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    info: Mapped[str | None] = mapped_column(Text)  # the assertionInfo aspect, as JSON
    description: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(200))  # the tool: dbt, great-expectations
    tags: Mapped[str | None] = mapped_column(Text)  # JSON list of tag URNs (globalTags)
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    # The newest run applied (runs are applied in time order: an older one arriving late is
    # kept in the history and changes none of these).
    last_run_at: Mapped[int | None] = mapped_column(BigInteger)
    last_result: Mapped[str | None] = mapped_column(String(16))  # SUCCESS, FAILURE, ERROR
    last_run_id: Mapped[str | None] = mapped_column(String(300))
    failures_in_row: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AssertionRun(Base):
    """One assertionRunEvent. A run is known by its assertion, time and partition: the same
    event sent again is the same run, and changes nothing."""

    __tablename__ = "assertion_runs"
    __table_args__ = (
        Index("ux_assertion_runs_event", "assertion_id", "timestamp_ms", "partition", unique=True),
        Index("ix_assertion_runs_age", "timestamp_ms"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assertion_id: Mapped[int] = mapped_column(ForeignKey("assertions.id", ondelete="CASCADE"))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    partition: Mapped[str] = mapped_column(String(300))
    run_id: Mapped[str] = mapped_column(String(300))
    assertee_urn: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16))  # COMPLETE
    result_type: Mapped[str | None] = mapped_column(String(16))  # SUCCESS, FAILURE, ERROR, INIT
    event: Mapped[str] = mapped_column(Text)  # the rest of the aspect, as JSON


ASSERTIONS = cast(Table, Assertion.__table__)
ASSERTION_RUNS = cast(Table, AssertionRun.__table__)
