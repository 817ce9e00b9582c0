"""Settings, read from DATAFLARE_* environment variables."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from dataflare.core.errors import InvalidInput
from dataflare.core.exposure import DEFAULT_METRICS, METRICS, MetricsExposure, metrics_exposure
from dataflare.core.limits import MAX_BODY_BYTES, MAX_INGEST_BYTES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9002
NOTIFY_IN_SERVER = "DATAFLARE_NOTIFICATIONS_IN_SERVER"
OFF = ("0", "false", "no", "off")
ON = ("1", "true", "yes", "on")
MCP_READ_ONLY = "DATAFLARE_MCP_READ_ONLY"
TRUSTED_PROXIES = "DATAFLARE_TRUSTED_PROXIES"
ASSERTION_RUN_DAYS = "DATAFLARE_ASSERTION_RUN_DAYS"
DEFAULT_ASSERTION_RUN_DAYS = 90
FIGURES_EXACT_UP_TO = "DATAFLARE_FIGURES_EXACT_UP_TO"
DEFAULT_FIGURES_EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    admin_token: str | None
    admin_password: str | None = None  # the admin's first password; random when unset
    # Whether `dataflare serve` delivers notifications itself, besides any `dataflare worker`.
    notify_in_server: bool = True
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or networks.
    # None by default, so no client can choose the address its failed logins are counted by.
    trusted_proxies: tuple[str, ...] = ()
    max_body_bytes: int = MAX_BODY_BYTES  # GraphQL and web forms
    max_ingest_bytes: int = MAX_INGEST_BYTES  # /aspects and /entities
    mcp_read_only: bool = False  # the MCP server offers agents the read tools only
    metrics: MetricsExposure = DEFAULT_METRICS  # /metrics: token, off, or a port of its own
    assertion_run_days: int = DEFAULT_ASSERTION_RUN_DAYS  # assertion runs older are pruned
    # Incidents raised or resolved in a period above which its figures come from the rollups.
    figures_exact_up_to: int = DEFAULT_FIGURES_EXACT_UP_TO

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("DATAFLARE_HOME") or Path.home() / ".dataflare").expanduser()
        database_url = (
            os.environ.get("DATAFLARE_DATABASE_URL") or f"sqlite:///{home / 'dataflare.db'}"
        )
        return cls(
            home=home,
            database_url=database_url,
            admin_token=os.environ.get("DATAFLARE_ADMIN_TOKEN") or None,
            admin_password=os.environ.get("DATAFLARE_ADMIN_PASSWORD") or None,
            notify_in_server=os.environ.get(NOTIFY_IN_SERVER, "1").lower() not in OFF,
            trusted_proxies=trusted_proxies(os.environ.get(TRUSTED_PROXIES, "")),
            max_body_bytes=byte_count("DATAFLARE_MAX_BODY_BYTES", MAX_BODY_BYTES),
            max_ingest_bytes=byte_count("DATAFLARE_MAX_INGEST_BYTES", MAX_INGEST_BYTES),
            mcp_read_only=switch(MCP_READ_ONLY),
            metrics=metrics_exposure(os.environ.get(METRICS, "")),
            assertion_run_days=assertion_run_days(),
            figures_exact_up_to=figures_exact_up_to(),
        )


def switch(name: str) -> bool:
    """An on/off setting from the environment, off when unset."""
    raw = os.environ.get(name, "").strip().lower()
    if raw in ON:
        return True
    if raw in OFF or not raw:
        return False
    raise InvalidInput(f"{name} must be 1 or 0 (or true/false, yes/no, on/off), not '{raw[:40]}'.")


def assertion_run_days() -> int:
    """DATAFLARE_ASSERTION_RUN_DAYS: how many days of assertion runs to keep (the newest run of
    each assertion is kept whatever its age)."""
    raw = os.environ.get(ASSERTION_RUN_DAYS, "").strip()
    if not raw:
        return DEFAULT_ASSERTION_RUN_DAYS
    if not raw.isdigit() or not 1 <= int(raw) <= 36_500:
        raise InvalidInput(
            f"{ASSERTION_RUN_DAYS} must be a whole number of days from 1 to 36500, not "
            f"'{raw[:40]}'."
        )
    return int(raw)


def figures_exact_up_to() -> int:
    """DATAFLARE_FIGURES_EXACT_UP_TO: over a period with more incidents raised or resolved than
    this, the figures come from the rollups, with medians and p90s within 2.44% of the exact
    ones (docs/insights.md); 0 always uses the rollups where they can answer."""
    raw = os.environ.get(FIGURES_EXACT_UP_TO, "").strip().replace("_", "")
    if not raw:
        return DEFAULT_FIGURES_EXACT_UP_TO
    if not raw.isdigit() or int(raw) > 1_000_000_000:
        raise InvalidInput(
            f"{FIGURES_EXACT_UP_TO} must be a whole number of incidents from 0 to 1000000000, "
            f"not '{raw[:40]}'."
        )
    return int(raw)


def byte_count(name: str, default: int) -> int:
    """A size in bytes from the environment: a positive whole number."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) == 0:
        raise InvalidInput(f"{name} must be a positive whole number of bytes, not '{raw[:40]}'.")
    return int(raw)


def trusted_proxies(value: str) -> tuple[str, ...]:
    """DATAFLARE_TRUSTED_PROXIES: comma-separated addresses or networks, each checked here as
    the server reads it (10.0.0.0/8, not 10.0.0.1/8): it would take a mistyped one for a name
    that no connection ever has, and trust nobody without a word."""
    found = tuple(part.strip() for part in value.split(",") if part.strip())
    for entry in found:
        try:
            ipaddress.ip_network(entry)
        except ValueError:
            raise InvalidInput(
                f"{TRUSTED_PROXIES}: '{entry}' is not an address or a network "
                "(e.g. 127.0.0.1 or 10.0.0.0/8)."
            ) from None
    return found
