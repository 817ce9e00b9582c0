"""`dataflare serve` and `dataflare db`: migrate, make sure the admin exists, serve."""

from __future__ import annotations

import errno
import socket
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import click

from dataflare import __version__
from dataflare.cli.demo import start_demo
from dataflare.cli.kit import friendly_errors
from dataflare.core.config import DEFAULT_HOST, DEFAULT_PORT, NOTIFY_IN_SERVER, Settings
from dataflare.core.exposure import LISTEN


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port to listen on."
)
@click.option(
    "--demo",
    is_flag=True,
    help="Load demo data and print an admin token first (kept in $DATAFLARE_HOME/demo-token "
    "and reused while it lasts; each lasts 30 days).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (more than one needs PostgreSQL).",
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

    from dataflare.cli.migration import upgrade
    from dataflare.monitoring.multiprocess import shared_directory
    from dataflare.notifications.config import load

    settings = Settings.from_env()
    # Checked before anything is written or printed, so a refused start changes nothing.
    _check_workers(settings, workers)
    _check_port_free(host, port)
    if settings.metrics.mode == LISTEN:
        if settings.metrics.port == port:
            raise click.ClickException(
                f"DATAFLARE_METRICS listens on port {port}, the API's own: choose another."
            )
        _check_port_free(settings.metrics.host, settings.metrics.port)
    if not notify:
        os.environ[NOTIFY_IN_SERVER] = "0"  # read by each server process
    load(settings.home)  # a mistake in the settings file stops the start, with its key named
    upgrade(settings.database_url)
    _ensure_admin(settings)
    if demo:
        start_demo(settings, host, port)
    else:
        click.echo(f"Dataflare {__version__} on {settings.database_url}", err=True)
    with shared_directory(workers), _metrics_port(settings):
        _run(uvicorn, settings, host, port, workers)


def _run(uvicorn: Any, settings: Settings, host: str, port: int, workers: int) -> None:
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


def _metrics_port(settings: Settings) -> AbstractContextManager[None]:
    """DATAFLARE_METRICS=listen:...: a port of their own, opened here, for every worker."""
    if settings.metrics.mode != LISTEN:
        return nullcontext()
    from dataflare.monitoring.separate_port import metrics_port

    return metrics_port(settings.metrics, settings.database_url)


def _check_workers(settings: Settings, workers: int) -> None:
    if workers > 1 and settings.database_url.startswith("sqlite"):
        raise click.ClickException(
            f"--workers {workers} needs PostgreSQL: SQLite takes one writer process (this server "
            "queues its writes inside that one process). Serve SQLite with one worker, or set "
            "DATAFLARE_DATABASE_URL to a PostgreSQL database for several."
        )


def _check_port_free(host: str, port: int) -> None:
    """Say so in one line when the address is taken, rather than let the server fail to bind
    after it has started (and log the failure its own way)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise click.ClickException(f"cannot listen on {host}: {error.strerror}.") from error
    with socket.socket(family, kind, proto) as probe:
        # As the server itself binds: a port whose last connections are closing counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise click.ClickException(
                    f"port {port} is in use on {host}: is Dataflare already running? Stop what "
                    "listens there, or choose another port with --port."
                ) from error
            raise click.ClickException(
                f"cannot listen on {host}:{port}: {error.strerror}."
            ) from error


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
    """Apply pending migrations to the configured database, and say which."""
    from sqlalchemy.engine import make_url

    from dataflare.cli.migration import upgrade

    settings = Settings.from_env()
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    done = upgrade(settings.database_url)
    if done.before == done.after:
        click.echo(f"Database {shown} is up to date (revision {done.after}).", err=True)
        return
    before = "an empty database" if done.before is None else f"revision {done.before}"
    click.echo(f"Migrated {shown} from {before} to revision {done.after}.", err=True)


@db.command("rebuild-figures")
@friendly_errors
def db_rebuild_figures() -> None:
    """Count the Insights figures' rollups again from the incidents.

    They are kept with every change, so this is never needed in normal use: it repairs them
    after the incidents were restored from a backup without them, or edited by hand. It holds
    the database's write lock (SQLite) or the rollups' rows (PostgreSQL) while it runs: about a
    minute per million incidents on SQLite, a minute and a half on PostgreSQL."""
    from sqlalchemy.engine import make_url

    from dataflare.cli.migration import count_figures
    from dataflare.incidents.rollups_rebuild import rebuild

    settings = Settings.from_env()
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    counted, seconds = count_figures(settings.database_url, rebuild)
    click.echo(
        f"Counted the figures of {counted:,} incidents again in {shown} ({seconds:.1f} s).",
        err=True,
    )
