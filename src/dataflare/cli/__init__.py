"""The command line. Each command group lives in a module of its own; `main` gathers them."""

from __future__ import annotations

import sys

import click

from dataflare import __version__
from dataflare.cli.access import tokens, users
from dataflare.cli.check import check
from dataflare.cli.demo import demo
from dataflare.cli.incidents import incident
from dataflare.cli.ingest import ingest
from dataflare.cli.mcp import mcp
from dataflare.cli.notifications import notifications_group, worker
from dataflare.cli.serve import db, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dataflare")
def main() -> None:
    """Dataflare: flag data assets as unhealthy with incidents (DataHub Incidents API)."""


for command in (
    serve,
    db,
    ingest,
    demo,
    tokens,
    users,
    incident,
    check,
    worker,
    notifications_group,
    mcp,
):
    main.add_command(command)

if __name__ == "__main__":
    sys.exit(main())
