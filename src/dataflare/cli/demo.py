"""`dataflare demo load`, and the demo start of `dataflare serve --demo` (`make run`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click
from sqlalchemy.orm import Session

from dataflare import __version__
from dataflare.access.roles import ADMIN_USER
from dataflare.cli.kit import friendly_errors
from dataflare.core.clock import format_time, now_ms
from dataflare.core.config import Settings

# `make run` prints an admin token; it is kept here (in $DATAFLARE_HOME) and reused by the next
# starts, so they do not pile up tokens.
TOKEN_FILE = "demo-token"
TOKEN_NAME = "make run"
TOKEN_LIFE = "ONE_MONTH"  # 30 days
MIN_LIFE_LEFT_MS = 24 * 3_600_000  # a token that would expire within a day is replaced


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@friendly_errors
def demo_load() -> None:
    """Load the demo assets and incidents (does nothing if they are already there)."""
    from dataflare.cli.migration import upgrade
    from dataflare.db.database import Database
    from dataflare.ingest.demo import load_demo

    settings = Settings.from_env()
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    with database.session(write=True) as session:
        created = load_demo(session)
    database.dispose()
    click.echo("Demo data loaded." if created else "Demo data is already there.", err=True)


def start_demo(settings: Settings, host: str, port: int) -> None:
    from dataflare.db.database import Database
    from dataflare.ingest.demo import load_demo

    db = Database(settings.database_url)
    with db.session(write=True) as session:
        created = load_demo(session)
        token = _demo_token(session, settings.home)
    db.dispose()
    if not token.reused:  # once the token is committed: a saved token is always a real one
        _save(settings.home / TOKEN_FILE, token.secret)
    url = f"http://{host}:{port}"
    where = _shown(settings.home / TOKEN_FILE)
    origin = (
        f"the last start's, kept in {where}; replaced a day before it expires"
        if token.reused
        else f"new (30 days), kept in {where} for the next starts to reuse"
    )
    click.echo(
        f"\nDataflare {__version__} is starting at {url}\n"
        f"  database:     {settings.database_url}\n"
        f"  demo data:    {'loaded' if created else 'already there'}\n"
        f"  access token: {token.secret}   (user {ADMIN_USER}; valid until "
        f"{format_time(token.expires_at)})\n"
        f"                {origin}\n\n"
        "Try it:\n"
        f"  curl -s {url}/api/graphql -H 'Authorization: Bearer {token.secret}' \\\n"
        "    -H 'Content-Type: application/json' \\\n"
        '    --data \'{"query": "{ dataset(urn: \\"urn:li:dataset:(urn:li:dataPlatform:'
        'kafka,SampleKafkaDataset,PROD)\\") { health { status message } } }"}\'\n'
        "Press Ctrl+C to stop.\n"
    )


@dataclass(frozen=True)
class DemoToken:
    secret: str
    expires_at: int
    reused: bool


def _demo_token(session: Session, home: Path) -> DemoToken:
    """The admin token of the last start while it has a day or more to live; else a new one
    that lives 30 days. Before, every start added a token that never expired."""
    from dataflare.access.tokens import create_token, find_token

    saved = _read(home / TOKEN_FILE)
    found = find_token(session, saved) if saved else None
    if saved and found is not None:
        token, user = found
        lasts = token.expires_at is not None and token.expires_at - now_ms() >= MIN_LIFE_LEFT_MS
        if lasts and user.name == ADMIN_USER and user.active:
            assert token.expires_at is not None
            return DemoToken(saved, token.expires_at, reused=True)
    token, secret = create_token(session, ADMIN_USER, TOKEN_NAME, TOKEN_LIFE)
    assert token.expires_at is not None
    return DemoToken(secret, token.expires_at, reused=False)


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def _save(path: Path, secret: str) -> None:
    """Readable by its owner only: it is a password."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file made earlier keeps its mode otherwise
    with os.fdopen(descriptor, "w") as file:
        file.write(secret + "\n")


def _shown(path: Path) -> str:
    """The path with ~ for the home folder, as a person would type it."""
    try:
        return f"~/{path.relative_to(Path.home())}"
    except ValueError:
        return str(path)
