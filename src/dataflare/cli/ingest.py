"""`dataflare ingest FILE`: load metadata proposals from a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dataflare.cli.kit import friendly_errors, plural
from dataflare.core.config import Settings


@click.command()
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
    from dataflare.access.users import check_name
    from dataflare.assertions import policy as assertion_policy
    from dataflare.cli.migration import upgrade
    from dataflare.db.database import Database
    from dataflare.ingest.files import load, read_file

    settings = Settings.from_env()
    assertion_policy.install(assertion_policy.load(settings.home))
    check_name(user_name)
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
        f"{plural(summary.proposals, 'proposal')}: {summary.changed} changed, "
        f"{summary.unchanged} unchanged, {summary.ignored} ignored (aspects Dataflare does not "
        "use).",
        err=True,
    )
