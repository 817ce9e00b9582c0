"""Settings, read from DATAFLARE_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9002
NOTIFY_IN_SERVER = "DATAFLARE_NOTIFICATIONS_IN_SERVER"
OFF = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    admin_token: str | None
    admin_password: str | None = None  # the admin's first password; random when unset
    # Whether `dataflare serve` delivers notifications itself, besides any `dataflare worker`.
    notify_in_server: bool = True

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
        )
