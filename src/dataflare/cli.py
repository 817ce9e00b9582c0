"""The command line: serve, db, tokens, users, ingest, demo, incident, check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dataflare import __version__
from dataflare.cli_access import tokens, users
from dataflare.cli_check import check
from dataflare.cli_incidents import incident
from dataflare.cli_notifications import notifications_group, worker
from dataflare.clikit import friendly_errors
from dataflare.config import DEFAULT_HOST, DEFAULT_PORT, NOTIFY_IN_SERVER, Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dataflare")
def main() -> None:
    """Dataflare: flag data assets as unhealthy with incidents (DataHub Incidents API)."""


@main.command()
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

    from dataflare.migrate import upgrade
    from dataflare.notifications.config import load

    if not notify:
        os.environ[NOTIFY_IN_SERVER] = "0"  # read by each server process
    settings = Settings.from_env()
    load(settings.home)  # a mistake in the settings file stops the start, with its key named
    upgrade(settings.database_url)
    _ensure_admin(settings)
    if demo:
        _start_demo(settings, host, port)
    else:
        click.echo(f"Dataflare {__version__} on {settings.database_url}", err=True)
    uvicorn.run(
        "dataflare.server:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def _ensure_admin(settings: Settings) -> None:
    """Create the admin user on first start; a password we chose is shown once, on stderr."""
    from dataflare.access.roles import ADMIN_USER
    from dataflare.access.users import ensure_admin
    from dataflare.db import Database

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


def _start_demo(settings: Settings, host: str, port: int) -> None:
    from dataflare.access.roles import ADMIN_USER
    from dataflare.access.tokens import create_token
    from dataflare.db import Database
    from dataflare.demo import load_demo

    db = Database(settings.database_url)
    with db.session(write=True) as session:
        created = load_demo(session)
        _, secret = create_token(session, ADMIN_USER, "make run")
    db.dispose()
    url = f"http://{host}:{port}"
    click.echo(
        f"\nDataflare {__version__} is starting at {url}\n"
        f"  database:     {settings.database_url}\n"
        f"  demo data:    {'loaded' if created else 'already there'}\n"
        f"  access token: {secret}   (user {ADMIN_USER}; shown once)\n\n"
        "Try it:\n"
        f"  curl -s {url}/api/graphql -H 'Authorization: Bearer {secret}' \\\n"
        "    -H 'Content-Type: application/json' \\\n"
        '    --data \'{"query": "{ dataset(urn: \\"urn:li:dataset:(urn:li:dataPlatform:'
        'kafka,SampleKafkaDataset,PROD)\\") { health { status message } } }"}\'\n'
        "Press Ctrl+C to stop.\n"
    )


@main.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Apply pending migrations to the configured database."""
    from dataflare.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    click.echo(f"Database is up to date: {settings.database_url}", err=True)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--user",
    "user_name",
    default="datahub",
    show_default=True,
    help="Whose name the changes are recorded under.",
)
@friendly_errors
def ingest(path: Path, user_name: str) -> None:
    """Load a JSON file of metadata proposals (as DataHub's file sink writes them).

    Everything in the file is applied in one transaction, or nothing is; loading the same file
    again changes nothing.
    """
    from dataflare.access.roles import ADMIN, Caller
    from dataflare.db import Database
    from dataflare.ingest.files import load, read_file
    from dataflare.migrate import upgrade

    settings = Settings.from_env()
    proposals = read_file(path)
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    try:
        with click.progressbar(
            length=len(proposals), label=f"Ingesting {path.name}", file=sys.stderr
        ) as bar:
            # The command line has server-side access; the changes are recorded under `user`.
            summary = load(database, Caller(user_name, ADMIN), proposals, bar.update)
    finally:
        database.dispose()
    click.echo(
        f"{summary.proposals} proposals: {summary.applied} applied, "
        f"{summary.ignored} ignored (aspects Dataflare does not use).",
        err=True,
    )


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@friendly_errors
def demo_load() -> None:
    """Load the demo assets and incidents (does nothing if they are already there)."""
    from dataflare.db import Database
    from dataflare.demo import load_demo
    from dataflare.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    with database.session(write=True) as session:
        created = load_demo(session)
    database.dispose()
    click.echo("Demo data loaded." if created else "Demo data is already there.", err=True)


main.add_command(tokens)
main.add_command(users)
main.add_command(incident)
main.add_command(check)
main.add_command(worker)
main.add_command(notifications_group)

if __name__ == "__main__":
    sys.exit(main())
