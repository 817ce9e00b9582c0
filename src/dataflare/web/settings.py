"""Settings: one's own access tokens (a new one shown once), and for admins the users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.responses import Response

from dataflare.access import tokens, users
from dataflare.access.models import AccessToken
from dataflare.access.roles import MANAGE_USERS
from dataflare.core.errors import DataflareError, InvalidInput, NotFound
from dataflare.web.handling import Call, Change

DURATION_LABELS = {
    "ONE_HOUR": "1 hour",
    "ONE_DAY": "1 day",
    "ONE_WEEK": "1 week",
    "ONE_MONTH": "30 days",
    "THREE_MONTHS": "90 days",
    "SIX_MONTHS": "180 days",
    "ONE_YEAR": "1 year",
    "NO_EXPIRY": "Never",
}
MAX_LISTED = 200
GRAPHIQL_BUNDLE = Path(__file__).parent / "static" / "vendor" / "graphiql.min.js"


def settings_page(call: Call) -> Response:
    return _render(call, {})


def _create_token(call: Call) -> tuple[AccessToken, str]:
    name, duration = call.field("name"), call.field("duration") or "ONE_MONTH"
    if not name:
        raise InvalidInput("Give the token a name, e.g. 'airflow prod', to know it later.")
    return tokens.create_access_token(
        call.session,
        call.viewer.caller,
        call.viewer.caller.urn,
        name,
        duration,
        call.field("description") or None,
    )


def _created(call: Call, made: tuple[AccessToken, str]) -> Response:
    return _render(call, {"created": made[0], "secret": made[1]})


def _refused(call: Call, error: DataflareError) -> Response:
    return _render(call, {"error": error.message, "name": call.field("name")}, error.code)


create_token = Change(_create_token, _created, _refused)


def _revoke_token(call: Call) -> None:
    tokens.revoke_access_token(call.session, call.viewer.caller, call.field("token_id"))


revoke_token = Change(_revoke_token, lambda call, _: _render(call, {"revoked": True}), _refused)


def _render(call: Call, extra: dict[str, Any], status: int = 200) -> Response:
    caller = call.viewer.caller
    own = tokens.list_access_tokens(call.session, caller, count=MAX_LISTED)
    mine = [t for t in own.tokens if caller.name in (t.user_name, t.owner_name)]
    context: dict[str, Any] = {
        "tokens": mine,
        "durations": DURATION_LABELS,
        "users": None,
        **extra,
    }
    if caller.has(MANAGE_USERS):
        context["users"] = users.list_users(call.session, caller, count=MAX_LISTED).users
    return call.render("settings.html", context, status)


def graphiql_page(call: Call) -> Response:
    if not GRAPHIQL_BUNDLE.exists():  # installed without `make setup`: say what is missing
        raise NotFound(
            "GraphiQL's files are not installed on this server: run `make setup` (npm ci) in "
            "the source tree. The GraphQL endpoint itself, /api/graphql, works without them."
        )
    return call.render("graphiql.html", {})
