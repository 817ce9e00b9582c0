"""`dataflare incident ...`: raise, update, resolve, reopen, list and show incidents on a
server, over HTTP with an access token (as a pipeline or a person would)."""

from __future__ import annotations

import json
from typing import Any

import click

from dataflare.cli.kit import plural, table
from dataflare.cli.remote import echo_json, json_option, with_client
from dataflare.client import DataflareClient, Incident
from dataflare.client.models import INCIDENT_TYPES, PRIORITIES, STAGES, STATES
from dataflare.core.clock import format_time

TYPE = click.Choice(INCIDENT_TYPES, case_sensitive=False)
PRIORITY = click.Choice(PRIORITIES, case_sensitive=False)
STAGE = click.Choice(STAGES, case_sensitive=False)
STATE = click.Choice(STATES, case_sensitive=False)


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


@click.group()
def incident() -> None:
    """Raise, change and read incidents on a Dataflare server.

    Each command talks to the server over HTTP: give --url and --token, or set DATAFLARE_URL
    and DATAFLARE_TOKEN (DATAHUB_GMS_URL and DATAHUB_GMS_TOKEN work too). Errors print
    `Error: ...` and exit 1; a wrong option exits 2.
    """


@incident.command("raise")
@click.argument("asset_urns", metavar="ASSET_URN...", nargs=-1, required=True)
@click.option("--type", "incident_type", type=TYPE, required=True, help="The incident type.")
@click.option("--custom-type", help="The type's name when --type is CUSTOM.")
@click.option("--title", help="A short title.")
@click.option("--description", help="What is wrong, for the people who read it.")
@click.option("--priority", type=PRIORITY, help="How urgent it is.")
@click.option("--stage", type=STAGE, help="The first lifecycle stage.")
@click.option("--message", help="A status message.")
@click.option("--assignee", "assignees", multiple=True, metavar="URN", help="A user or group.")
@click.option(
    "--source",
    type=click.Choice(("MANUAL", "ASSERTION_FAILURE"), case_sensitive=False),
    help="How it was found; MANUAL by default.",
)
@click.option("--id", "incident_id", help="Choose the id: the URN becomes urn:li:incident:ID.")
@click.option(
    "--dedup-key",
    metavar="KEY",
    help="While an incident raised with KEY is active on the asset, return it instead of "
    "opening another (the raise is counted in its timeline).",
)
@json_option
@with_client()
def raise_command(client: DataflareClient, asset_urns: tuple[str, ...], **given: Any) -> None:
    """Raise an incident on one or more assets and print its URN, alone on stdout (with
    --json, the incident as `show --json` prints it).

    \b
    Example:
      dataflare incident raise 'urn:li:dataset:(urn:li:dataPlatform:hive,sales,PROD)' \\
        --type FRESHNESS --title 'No rows since 06:00' --priority HIGH --dedup-key sales-fresh
    """
    urn = client.raise_incident(
        list(asset_urns),
        given["incident_type"].upper(),
        title=given["title"],
        description=given["description"],
        priority=_upper(given["priority"]),
        custom_type=given["custom_type"],
        source_type=_upper(given["source"]),
        stage=_upper(given["stage"]),
        message=given["message"],
        assignee_urns=list(given["assignees"]) or None,
        incident_id=given["incident_id"],
        dedup_key=given["dedup_key"],
    )
    if given["as_json"]:  # the incident, as `show --json` prints it
        echo_json(client.get(urn).to_graphql())
    else:
        click.echo(urn)


@incident.command("update")
@click.argument("urn")
@click.option("--state", type=STATE, help="ACTIVE or RESOLVED.")
@click.option("--stage", type=STAGE, help="A new lifecycle stage.")
@click.option("--message", help="A message recorded with the state or stage change.")
@click.option("--title", help="A new title.")
@click.option("--description", help="A new description.")
@click.option("--priority", type=PRIORITY, help="A new priority.")
@click.option("--type", "incident_type", type=TYPE, help="A new incident type.")
@click.option("--custom-type", help="A new custom type (needed with --type CUSTOM).")
@click.option(
    "--assignee", "assignees", multiple=True, metavar="URN", help="Replace the assignees."
)
@with_client()
def update_command(client: DataflareClient, urn: str, **given: Any) -> None:
    """Change an incident: its state, stage and message, or its title, description, priority,
    type and assignees. Options left out are left unchanged."""
    fields: dict[str, Any] = {
        "title": given["title"],
        "description": given["description"],
        "priority": _upper(given["priority"]),
        "type": _upper(given["incident_type"]),
        "customType": given["custom_type"],
        "assigneeUrns": list(given["assignees"]) or None,
    }
    fields = {k: v for k, v in fields.items() if v is not None}
    status_given = given["state"] or given["stage"] or given["message"]
    if not fields and not status_given:
        raise click.UsageError("Nothing to change: give at least one option (see --help).")
    if status_given:
        state = _upper(given["state"]) or client.get(urn).state
        client.update_status(urn, state, stage=_upper(given["stage"]), message=given["message"])
    if fields:
        client.update(urn, **fields)
    click.echo(f"Incident {urn} updated.", err=True)


@incident.command("resolve")
@click.argument("urn")
@click.option("--message", help="Why it is resolved.")
@click.option(
    "--dedup-key",
    metavar="KEY",
    help="URN is then an asset: resolve the active incident raised on it with KEY, if any.",
)
@with_client()
def resolve_command(
    client: DataflareClient, urn: str, message: str | None, dedup_key: str | None
) -> None:
    """Resolve an incident.

    With --dedup-key, URN names the asset and the active incident raised with that key is
    resolved; when there is none, nothing changes and the command still succeeds, so a check
    that passes may run it every time.
    """
    if dedup_key is None:
        client.resolve(urn, message)
        click.echo(f"Incident {urn} resolved.", err=True)
        return
    resolved = client.resolve_by_dedup_key(urn, dedup_key, message)
    if resolved is None:
        click.echo(f"No active incident with dedup key '{dedup_key}' on {urn}.", err=True)
    else:
        click.echo(resolved)
        click.echo(f"Incident {resolved} resolved.", err=True)


@incident.command("reopen")
@click.argument("urn")
@click.option("--message", help="Why it is active again.")
@with_client()
def reopen_command(client: DataflareClient, urn: str, message: str | None) -> None:
    """Make a resolved incident active again."""
    client.reopen(urn, message)
    click.echo(f"Incident {urn} reopened.", err=True)


@incident.command("list")
@click.argument("asset_urn")
@click.option("--state", type=STATE, help="Only ACTIVE or RESOLVED incidents (default: both).")
@click.option("--priority", type=PRIORITY, help="Only incidents of this priority.")
@click.option("--start", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--count", type=click.IntRange(1, 1000), default=20, show_default=True)
@json_option
@with_client()
def list_command(client: DataflareClient, asset_urn: str, **given: Any) -> None:
    """List the incidents on an asset, newest first (--json: the page, without timelines)."""
    page = client.list_incidents(
        asset_urn,
        _upper(given["state"]),
        priority=_upper(given["priority"]),
        start=given["start"],
        count=given["count"],
    )
    if given["as_json"]:  # the page as the API answers it; the timelines are left to `show`
        echo_json(
            {
                "start": page.start,
                "count": page.count,
                "total": page.total,
                "incidents": [i.to_graphql(with_activity=False) for i in page.incidents],
            }
        )
        return
    rows = [
        (
            i.urn,
            i.state,
            i.priority or "-",
            i.custom_type or i.incident_type,
            format_time(i.created_at),
            i.title or "",
        )
        for i in page.incidents
    ]
    click.echo(table(("URN", "STATE", "PRIORITY", "TYPE", "CREATED", "TITLE"), rows))
    shown = f"{page.start + 1}-{page.start + len(page.incidents)}" if page.incidents else "none"
    click.echo(f"{shown} of {page.total}", err=True)


@incident.command("show")
@click.argument("urn")
@json_option
@with_client()
def show_command(client: DataflareClient, urn: str, as_json: bool) -> None:
    """Show one incident and its timeline (--json: as the GraphQL API names its fields)."""
    found = client.get(urn)
    if as_json:
        echo_json(found.to_graphql())
        return
    click.echo(_details(found))


def _details(i: Incident) -> str:
    facts = [
        ("urn", i.urn),
        ("title", i.title or "-"),
        ("type", f"{i.incident_type} ({i.custom_type})" if i.custom_type else i.incident_type),
        ("state", i.state + (f", {i.stage}" if i.stage else "")),
        ("priority", i.priority or "-"),
        ("assets", ", ".join(i.assets)),
        ("assignees", ", ".join(i.assignees) or "-"),
        ("dedup key", i.dedup_key or "-"),
        ("raised", f"{format_time(i.created_at)} by {i.created_by}"),
        ("description", i.description or "-"),
    ]
    lines = [f"{name + ':':13} {value}" for name, value in facts]
    entries = [
        (
            format_time(e.time),
            f"{e.actor} (via {e.via})" if e.via else e.actor,
            e.kind,
            _change(e.previous_value, e.new_value),
            e.message or "",
        )
        for e in i.activity
    ]
    return "\n".join([*lines, "", table(("TIME", "ACTOR", "KIND", "CHANGE", "MESSAGE"), entries)])


def _type_name(value: dict[str, str | None]) -> str:
    custom = value.get("customType")
    return f"{value['type']} ({custom})" if custom else str(value["type"])


def _change(previous: str | None, new: str | None) -> str:
    old = None if previous is None else json.loads(previous)
    value = None if new is None else json.loads(new)
    if isinstance(old, dict) and isinstance(value, dict):  # TYPE: both, before and after
        return f"{_type_name(old)} -> {_type_name(value)}"
    if isinstance(value, dict):  # RAISED holds every field; RAISED_AGAIN the count
        return f"raised {plural(value['count'], 'time')}" if "count" in value else ""
    if previous is None:
        return "" if value is None else str(value)
    return f"{old} -> {'-' if value is None else value}"
