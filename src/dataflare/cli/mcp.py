"""`dataflare mcp`: the MCP server over stdio, for agents that start their tools themselves."""

from __future__ import annotations

import click

from dataflare.cli.remote import TOKEN_HELP, URL_HELP
from dataflare.core.config import MCP_READ_ONLY, switch
from dataflare.core.errors import InvalidInput


@click.command("mcp")
@click.option("--url", metavar="URL", help=URL_HELP)
@click.option("--token", metavar="TOKEN", help=TOKEN_HELP)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds to wait for each answer from the server.",
)
@click.option(
    "--read-only",
    is_flag=True,
    help=f"Offer the read tools only (also when ${MCP_READ_ONLY} is 1).",
)
def mcp(url: str | None, token: str | None, timeout: float, read_only: bool) -> None:
    """Serve Dataflare's incident tools to an AI agent over MCP on stdin/stdout.

    The tools call the server at --url with --token, as the token's user: a Reader's token
    gets the read tools only. Changes are marked "via MCP" in the incidents' timelines. Logs go
    to stderr; stdout carries the protocol only.
    """
    try:
        read_only = read_only or switch(MCP_READ_ONLY)
    except InvalidInput as error:
        raise click.UsageError(error.message) from error
    # Imported here: the MCP SDK takes most of a second to import, which every other command
    # (`dataflare check` in each pipeline run among them) would pay.
    from dataflare.mcp.stdio import RemoteAccess, serve_stdio

    serve_stdio(RemoteAccess(url, token, timeout), read_only)
