"""What the commands that talk to a server over HTTP share: its address and token, and their
errors shown as one line."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from dataflare.client import ClientError, DataflareClient

URL_HELP = (
    "The Dataflare server. Default: $DATAFLARE_URL, else $DATAHUB_GMS_URL, else "
    "http://127.0.0.1:9002."
)
TOKEN_HELP = "An access token. Default: $DATAFLARE_TOKEN, else $DATAHUB_GMS_TOKEN."


def with_client(error_exit_code: int = 1) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add --url, --token and --timeout, pass a `client` built from them, and show a failure
    (bad input, unknown incident, refused token, server unreachable) as `Error: ...` with
    `error_exit_code`, never a traceback."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(command)
        def wrapper(url: str | None, token: str | None, timeout: float, **kwargs: Any) -> Any:
            try:
                with DataflareClient(url, token, timeout=timeout, retries=1) as client:
                    return command(client=client, **kwargs)
            except ClientError as error:
                click.echo(f"Error: {error.message}", err=True)
                raise click.exceptions.Exit(error_exit_code) from error

        options = [
            click.option("--url", metavar="URL", help=URL_HELP),
            click.option("--token", metavar="TOKEN", help=TOKEN_HELP),
            click.option(
                "--timeout",
                type=click.FloatRange(min=0, min_open=True),
                default=10.0,
                show_default=True,
                help="Seconds to wait for each answer.",
            ),
        ]
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON, for scripts, instead of text for people."
)


def echo_json(value: dict[str, Any]) -> None:
    """Keys as the API names them (camelCase), never Python's: scripts read one vocabulary."""
    click.echo(json.dumps(value, indent=2))
