"""DATAFLARE_METRICS: where, and to whom, the server shows its Prometheus metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from dataflare.core.errors import InvalidInput

METRICS = "DATAFLARE_METRICS"
TOKEN: Final = "token"
OFF: Final = "off"
LISTEN: Final = "listen"
DEFAULT_METRICS_HOST = "127.0.0.1"
_USAGE = (
    f"{METRICS} must be 'token' (the default: /metrics with an access token), 'off', or "
    "'listen:[HOST:]PORT' (a port of its own, without a token, e.g. listen:9102)"
)


@dataclass(frozen=True)
class MetricsExposure:
    mode: Literal["token", "off", "listen"] = TOKEN
    host: str = DEFAULT_METRICS_HOST  # listen only
    port: int = 0  # listen only

    @property
    def on_main_port(self) -> bool:
        return self.mode == TOKEN


DEFAULT_METRICS = MetricsExposure()


def metrics_exposure(raw: str) -> MetricsExposure:
    """The setting's value read, or InvalidInput naming the variable."""
    value = raw.strip()
    lowered = value.lower()
    if lowered in ("", TOKEN):
        return MetricsExposure(TOKEN)
    if lowered in (OFF, "0", "false", "no"):
        return MetricsExposure(OFF)
    if lowered.startswith(LISTEN + ":"):
        host, _, port = value[len(LISTEN) + 1 :].rpartition(":")
        host = host.strip("[]") or DEFAULT_METRICS_HOST
        if port.isdigit() and 0 < int(port) < 65536:
            return MetricsExposure(LISTEN, host, int(port))
    raise InvalidInput(f"{_USAGE}, not '{value[:60]}'.")
