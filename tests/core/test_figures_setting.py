"""DATAFLARE_FIGURES_EXACT_UP_TO: read when the server starts (Settings.from_env), so a bad value
stops it with a message naming the variable rather than failing the Insights page later."""

from __future__ import annotations

import pytest

from dataflare.core.config import DEFAULT_FIGURES_EXACT_UP_TO, Settings
from dataflare.core.errors import InvalidInput


@pytest.mark.parametrize(
    ("given", "read"),
    [("", DEFAULT_FIGURES_EXACT_UP_TO), ("0", 0), ("250_000", 250_000), (" 7 ", 7)],
)
def test_the_limit_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, given: str, read: int
) -> None:
    monkeypatch.setenv("DATAFLARE_FIGURES_EXACT_UP_TO", given)
    assert Settings.from_env().figures_exact_up_to == read


@pytest.mark.parametrize("given", ["-1", "ten", "1e6", "1000000001"])
def test_a_bad_limit_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv("DATAFLARE_FIGURES_EXACT_UP_TO", given)
    with pytest.raises(InvalidInput, match="DATAFLARE_FIGURES_EXACT_UP_TO must be a whole number"):
        Settings.from_env()
