"""`dataflare check`: gate a pipeline step on the health of its data."""

from __future__ import annotations

import click

from dataflare.cli.remote import echo_json, json_option, with_client
from dataflare.client import (
    BlockingIncident,
    DataflareClient,
    IncidentCircuitBreaker,
    IncidentCircuitBreakerConfig,
)
from dataflare.client.models import INCIDENT_TYPES, PRIORITIES

CLEAR, BLOCKED, FAILED = 0, 1, 2


@click.command()
@click.argument("urns", metavar="ASSET_URN...", nargs=-1, required=True)
@click.option(
    "--upstream",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Also look at the assets up to N lineage hops upstream.",
)
@click.option(
    "--min-priority",
    type=click.Choice(PRIORITIES, case_sensitive=False),
    help="Only incidents at least this urgent block (those without a priority then do not).",
)
@click.option(
    "--ignore-type",
    "ignore_types",
    multiple=True,
    metavar="TYPE",
    help=f"An incident type that does not block ({', '.join(INCIDENT_TYPES)}, or a custom "
    "type's name); repeat for several.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; only the exit status tells.")
@json_option
@with_client(error_exit_code=FAILED)
def check(
    client: DataflareClient,
    urns: tuple[str, ...],
    upstream: int,
    min_priority: str | None,
    ignore_types: tuple[str, ...],
    quiet: bool,
    as_json: bool,
) -> None:
    """Exit 0 when no active incident blocks the assets, 1 when one does (printing which),
    2 on an error (bad URN, server unreachable, token refused).

    An orchestrator runs a step only when this succeeds, e.g. in a shell:

    \b
      dataflare check 'urn:li:dataset:(urn:li:dataPlatform:hive,sales,PROD)' \\
        --upstream 2 --min-priority HIGH && dbt run
    """
    breaker = IncidentCircuitBreaker(
        IncidentCircuitBreakerConfig(
            upstream_depth=upstream,
            min_priority=min_priority.upper() if min_priority else None,
            ignore_types=ignore_types,
        ),
        client,
    )
    found = {urn: breaker.blocking_incidents(urn) for urn in urns}
    blocked = any(found.values())
    if as_json:
        echo_json({"blocked": blocked, "assets": [_as_json(u, b) for u, b in found.items()]})
    elif not quiet:
        for urn, blocking in found.items():
            click.echo(f"{'BLOCKED' if blocking else 'clear'}  {urn}")
            for reason in blocking:
                click.echo(f"  {reason.describe()}")
    raise click.exceptions.Exit(BLOCKED if blocked else CLEAR)


def _as_json(urn: str, blocking: list[BlockingIncident]) -> dict[str, object]:
    return {
        "urn": urn,
        "blocked": bool(blocking),
        "incidents": [
            {
                "asset": b.asset_urn,
                "degree": b.degree,
                "urn": b.incident.urn,
                "type": b.incident.incident_type,
                "customType": b.incident.custom_type,
                "priority": b.incident.priority,
                "title": b.incident.title,
            }
            for b in blocking
        ],
    }
