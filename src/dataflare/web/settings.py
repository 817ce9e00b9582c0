"""Settings: one's own access tokens (a new one shown once), and for admins the users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.responses import Response

from dataflare.access import tokens, users
from dataflare.access.roles import MANAGE_USERS
from dataflare.core.errors import DataflareError, InvalidInput, NotFound
from dataflare.web.handling import Call

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


def create_token(call: Call) -> Response:
    name, duration = call.field("name"), call.field("duration") or "ONE_MONTH"
    try:
        with call.session.begin_nested():
            if not name:
                raise InvalidInput("Give the token a name, e.g. 'airflow prod', to know it later.")
            token, secret = tokens.create_access_token(
                call.session,
                call.viewer.caller,
                call.viewer.caller.urn,
                name,
                duration,
                call.field("description") or None,
            )
    except DataflareError as error:
        return _render(call, {"error": error.message, "name": name}, error.code)
    return _render(call, {"created": token, "secret": secret})


def revoke_token(call: Call) -> Response:
    try:
        with call.session.begin_nested():
            tokens.revoke_access_token(call.session, call.viewer.caller, call.field("token_id"))
    except DataflareError as error:
        return _render(call, {"error": error.message}, error.code)
    return _render(call, {"revoked": True})


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
