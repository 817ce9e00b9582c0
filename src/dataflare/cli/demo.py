"""`dataflare demo load`, and the demo start of `dataflare serve --demo` (`make run`)."""

from __future__ import annotations

import click

from dataflare import __version__
from dataflare.cli.kit import friendly_errors
from dataflare.core.config import Settings


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@friendly_errors
def demo_load() -> None:
    """Load the demo assets and incidents (does nothing if they are already there)."""
    from dataflare.db.database import Database
    from dataflare.db.migrate import upgrade
    from dataflare.ingest.demo import load_demo

    settings = Settings.from_env()
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    with database.session(write=True) as session:
        created = load_demo(session)
    database.dispose()
    click.echo("Demo data loaded." if created else "Demo data is already there.", err=True)


def start_demo(settings: Settings, host: str, port: int) -> None:
    from dataflare.access.roles import ADMIN_USER
    from dataflare.access.tokens import create_token
    from dataflare.db.database import Database
    from dataflare.ingest.demo import load_demo

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
