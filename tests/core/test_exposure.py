"""DATAFLARE_METRICS read: its three forms, and a clear error naming it for anything else."""

from __future__ import annotations

import pytest

from dataflare.core.errors import InvalidInput
from dataflare.core.exposure import MetricsExposure, metrics_exposure


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", MetricsExposure("token")),
        ("token", MetricsExposure("token")),
        (" TOKEN ", MetricsExposure("token")),
        ("off", MetricsExposure("off")),
        ("0", MetricsExposure("off")),
        ("listen:9102", MetricsExposure("listen", "127.0.0.1", 9102)),
        ("listen:0.0.0.0:9102", MetricsExposure("listen", "0.0.0.0", 9102)),
        ("listen:[::1]:9102", MetricsExposure("listen", "::1", 9102)),
    ],
)
def test_the_setting_read(raw: str, expected: MetricsExposure) -> None:
    assert metrics_exposure(raw) == expected


@pytest.mark.parametrize("raw", ["on", "public", "listen:", "listen:0", "listen:70000", "9102"])
def test_a_bad_value_names_the_variable(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        metrics_exposure(raw)

    assert refused.value.message.startswith("DATAFLARE_METRICS must be 'token'")
    assert f"not '{raw}'" in refused.value.message
