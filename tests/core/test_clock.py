"""The time a change carries: the clock's, or the fixed time its session writes history at."""

from __future__ import annotations

from dataflare.core.clock import AS_OF, now_for, now_ms


def test_a_session_without_a_fixed_time_is_on_the_clock() -> None:
    before = now_ms()

    at = now_for({})

    assert before <= at <= now_ms()


def test_a_session_writing_history_carries_its_fixed_time() -> None:
    assert now_for({AS_OF: 1_700_000_000_000}) == 1_700_000_000_000
