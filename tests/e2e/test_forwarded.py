"""Forwarded headers against a real `dataflare serve`: believed only from the proxies named in
DATAFLARE_TRUSTED_PROXIES, so that by default no client can choose the address its failed
logins are counted by (and so get round the limit per address)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx

from dataflare.access.sessions import MAX_FAILURES_PER_ADDRESS
from tests.e2e.server import DATAFLARE, dataflare_env, serving

TOO_MANY = "Too many failed logins"


def failed_login(browser: httpx.Client, user: str, forwarded: dict[str, str]) -> httpx.Response:
    """A wrong password for `user`, sent with the given forwarded headers."""
    form = browser.get("/login", headers=forwarded)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    return browser.post(
        "/login",
        data={"username": user, "password": "wrong password", "csrf_token": token.group(1)},
        headers=forwarded,
    )


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(
    database_url: str, tmp_path: Path
) -> None:
    env = dataflare_env(tmp_path, database_url)
    with serving(env) as server, httpx.Client(base_url=server.url) as browser:
        for attempt in range(MAX_FAILURES_PER_ADDRESS):  # one account each: no account limit
            forwarded = {"X-Forwarded-For": f"203.0.113.{attempt}"}
            assert failed_login(browser, f"user{attempt}", forwarded).status_code == 401

        limited = failed_login(browser, "someone-else", {"X-Forwarded-For": "198.51.100.1"})
        page = browser.get("/login", headers={"X-Forwarded-Proto": "https"})

    assert limited.status_code == 429 and TOO_MANY in limited.text  # counted by the real address
    assert "strict-transport-security" not in page.headers  # nor is the scheme believed
    assert "secure" not in page.headers["set-cookie"].lower()


def test_a_trusted_proxy_names_the_address_that_is_counted(
    database_url: str, tmp_path: Path
) -> None:
    env = dataflare_env(tmp_path, database_url, DATAFLARE_TRUSTED_PROXIES="10.9.0.0/16, 127.0.0.1")
    client = {"X-Forwarded-For": "203.0.113.7"}
    with serving(env) as server, httpx.Client(base_url=server.url) as browser:
        for attempt in range(MAX_FAILURES_PER_ADDRESS):
            assert failed_login(browser, f"user{attempt}", client).status_code == 401

        limited = failed_login(browser, "someone-else", client)
        another = failed_login(browser, "someone-else", {"X-Forwarded-For": "203.0.113.8"})
        page = browser.get("/login", headers={"X-Forwarded-Proto": "https"})

    assert limited.status_code == 429 and TOO_MANY in limited.text
    assert another.status_code == 401  # another client behind the same proxy is not limited
    assert page.headers["strict-transport-security"] == "max-age=31536000"  # HTTPS at the proxy
    assert "secure" in page.headers["set-cookie"].lower()


def test_a_mistyped_trusted_proxy_stops_the_start(database_url: str, tmp_path: Path) -> None:
    env = dataflare_env(tmp_path, database_url, DATAFLARE_TRUSTED_PROXIES="10.0.0.1/8")
    started = subprocess.run(
        [DATAFLARE, "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60
    )

    assert started.returncode == 1
    assert "DATAFLARE_TRUSTED_PROXIES: '10.0.0.1/8' is not an address or a network" in (
        started.stderr
    )
