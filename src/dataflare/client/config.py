"""Where the server is and which token to send: arguments first, then the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_URL = "http://127.0.0.1:9002"
DEFAULT_TIMEOUT = 10.0
# Ours first; DataHub's names let a team moving from DataHub keep its pipeline settings.
URL_VARIABLES = ("DATAFLARE_URL", "DATAHUB_GMS_URL")
TOKEN_VARIABLES = ("DATAFLARE_TOKEN", "DATAHUB_GMS_TOKEN")


@dataclass(frozen=True)
class ClientConfig:
    url: str
    token: str | None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def resolve(
        cls,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> ClientConfig:
        env = os.environ if environ is None else environ
        found_url = url or _first(env, URL_VARIABLES) or DEFAULT_URL
        return cls(
            url=found_url.rstrip("/"),
            token=token or _first(env, TOKEN_VARIABLES),
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        )


def _first(env: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if env.get(name):
            return env[name]
    return None
