"""`dataflare serve` and `dataflare db`: migrate, make sure the admin exists, serve."""

from __future__ import annotations

import click

from dataflare import __version__
from dataflare.cli.demo import start_demo
from dataflare.cli.kit import friendly_errors
from dataflare.core.config import DEFAULT_HOST, DEFAULT_PORT, NOTIFY_IN_SERVER, Settings


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port to listen on."
)
@click.option("--demo", is_flag=True, help="Load demo data and print a fresh access token first.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (use PostgreSQL for more than one).",
)
@click.option(
    "--notify/--no-notify",
    default=True,
    show_default=True,
    help="Deliver notifications from the server too (off: only `dataflare worker` does).",
)
@friendly_errors
def serve(host: str, port: int, demo: bool, workers: int, notify: bool) -> None:
    """Apply pending migrations, then serve the API."""
    import os

    import uvicorn

    from dataflare.db.migrate import upgrade
    from dataflare.notifications.config import load

    if not notify:
        os.environ[NOTIFY_IN_SERVER] = "0"  # read by each server process
    settings = Settings.from_env()
    load(settings.home)  # a mistake in the settings file stops the start, with its key named
    upgrade(settings.database_url)
    _ensure_admin(settings)
    if demo:
        start_demo(settings, host, port)
    else:
        click.echo(f"Dataflare {__version__} on {settings.database_url}", err=True)
    uvicorn.run(
        "dataflare.server:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        # Forwarded headers only from the proxies named: by default uvicorn believes 127.0.0.1.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
    )


def _ensure_admin(settings: Settings) -> None:
    """Create the admin user on first start; a password we chose is shown once, on stderr."""
    from dataflare.access.roles import ADMIN_USER
    from dataflare.access.users import ensure_admin
    from dataflare.db.database import Database

    database = Database(settings.database_url)
    with database.session(write=True) as session:
        chosen = ensure_admin(session, settings.admin_password)
    database.dispose()
    if chosen is not None:
        click.echo(
            f"Created the admin user '{ADMIN_USER}' with password: {chosen}\n"
            "  (shown only this once; change it with `dataflare users set-password "
            f"{ADMIN_USER}`)",
            err=True,
        )


@click.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Apply pending migrations to the configured database."""
    from dataflare.db.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    click.echo(f"Database is up to date: {settings.database_url}", err=True)
