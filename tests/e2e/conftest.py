"""What the browser tests share: a Chromium, and a `dataflare serve --demo` whose admin signs in
with DEMO_PASSWORD."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.browser import chromium
from tests.e2e.checks import TOKEN, add_checks
from tests.e2e.server import Server, dataflare_env, serving

DEMO_PASSWORD = "a long enough password"


@pytest.fixture
def demo_server(demo_database_url: str, tmp_path: Path) -> Iterator[Server]:
    env = dataflare_env(tmp_path, demo_database_url, DATAFLARE_ADMIN_PASSWORD=DEMO_PASSWORD)
    with serving(env, "--demo") as running:
        yield running


@pytest.fixture
def demo_settings() -> dict[str, str]:
    """More settings for `checked_demo_server`: a test module may give its own."""
    return {}


@pytest.fixture
def checked_demo_server(
    demo_database_url: str, tmp_path: Path, demo_settings: dict[str, str]
) -> Iterator[Server]:
    """The demo, with assertions on its orders table (tests/e2e/checks.py)."""
    env = dataflare_env(
        tmp_path,
        demo_database_url,
        DATAFLARE_ADMIN_PASSWORD=DEMO_PASSWORD,
        DATAFLARE_ADMIN_TOKEN=TOKEN,
        **demo_settings,
    )
    with serving(env, "--demo") as running:
        add_checks(running.url)
        yield running


@pytest.fixture
def chromium_browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched
