"""The command line for access: `dataflare tokens ...` and `dataflare users ...`.

These commands read the database directly, so they act with server-side access (as the admin).
"""

from __future__ import annotations

import sys

import click

from dataflare.access import tokens as token_service
from dataflare.access import users as user_service
from dataflare.access.roles import EDITOR, ROLES, SERVER_SIDE
from dataflare.cli.kit import friendly_errors, write_session
from dataflare.core.clock import format_time

DURATION = click.Choice(list(token_service.DURATIONS))


def _read_password(from_stdin: bool) -> str:
    """From one line of stdin, or typed twice at a prompt that does not echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return password


@click.group()
def tokens() -> None:
    """Personal access tokens for the API."""


@tokens.command("create")
@click.option("--user", "user_name", required=True, help="The user the token acts as.")
@click.option("--name", "token_name", required=True, help="A label, e.g. 'airflow prod'.")
@click.option("--duration", type=DURATION, default="NO_EXPIRY", show_default=True)
@friendly_errors
def tokens_create(user_name: str, token_name: str, duration: str) -> None:
    """Create a token and print it, alone, on stdout. It is shown only once.

    A user not seen before is created as an Editor, without a password."""
    with write_session() as session:
        _, secret = token_service.create_token(session, user_name, token_name, duration)
    click.echo(secret)


@tokens.command("list")
@click.option("--user", "user_name", help="Only the tokens acting as this user.")
@friendly_errors
def tokens_list(user_name: str | None) -> None:
    """List tokens (never the secrets), newest first."""
    filters = [("actorUrn", [user_name])] if user_name else []
    with write_session() as session:
        page = token_service.list_access_tokens(session, SERVER_SIDE, 0, 1000, filters)
        rows = [
            (
                t.token_id,
                t.user_name,
                t.name,
                format_time(t.created_at),
                format_time(t.expires_at, missing="never"),
                format_time(t.last_used_at, missing="never"),
            )
            for t in page.tokens
        ]
    click.echo("ID\tUSER\tNAME\tCREATED\tEXPIRES\tLAST USED")
    for row in rows:
        click.echo("\t".join(row))


@tokens.command("revoke")
@click.argument("token_id")
@friendly_errors
def tokens_revoke(token_id: str) -> None:
    """Revoke a token by its id (from `tokens list`)."""
    with write_session() as session:
        token_service.revoke_access_token(session, SERVER_SIDE, token_id)
    click.echo(f"Token {token_id} revoked.", err=True)


@click.group()
def users() -> None:
    """Local users and their roles (Admin, Editor, Reader)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ROLES)), default=EDITOR, show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of stdin.")
@click.option("--no-password", is_flag=True, help="No sign-in; the user works with tokens only.")
@friendly_errors
def users_add(name: str, role: str, password_stdin: bool, no_password: bool) -> None:
    """Add a user, asking for the password (never echoed)."""
    password = None if no_password else _read_password(password_stdin)
    with write_session() as session:
        user_service.create_user(session, SERVER_SIDE, name, role, password)
    click.echo(f"User {name} added as {role}.", err=True)


@users.command("list")
@friendly_errors
def users_list() -> None:
    """List users with their role and status."""
    with write_session() as session:
        page = user_service.list_users(session, SERVER_SIDE, 0, 1000)
        rows = [(u.name, u.role, "active" if u.active else "disabled") for u in page.users]
    click.echo("NAME\tROLE\tSTATUS")
    for row in rows:
        click.echo("\t".join(row))


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(list(ROLES), case_sensitive=False))
@friendly_errors
def users_set_role(name: str, role: str) -> None:
    """Give a user another role."""
    with write_session() as session:
        user = user_service.set_role(session, SERVER_SIDE, name, role)
        click.echo(f"User {user.name} is now {user.role}.", err=True)


@users.command("disable")
@click.argument("name")
@friendly_errors
def users_disable(name: str) -> None:
    """Disable a user: their tokens and sessions stop working at once."""
    with write_session() as session:
        user_service.set_active(session, SERVER_SIDE, name, False)
    click.echo(f"User {name} disabled.", err=True)


@users.command("enable")
@click.argument("name")
@friendly_errors
def users_enable(name: str) -> None:
    """Enable a disabled user again."""
    with write_session() as session:
        user_service.set_active(session, SERVER_SIDE, name, True)
    click.echo(f"User {name} enabled.", err=True)


@users.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of stdin.")
@friendly_errors
def users_set_password(name: str, password_stdin: bool) -> None:
    """Set a user's password (never echoed)."""
    password = _read_password(password_stdin)
    with write_session() as session:
        user_service.set_password(session, SERVER_SIDE, name, password)
    click.echo(f"Password of {name} changed.", err=True)
