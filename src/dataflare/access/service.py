"""Who is calling, and what they may do: authentication of API requests (a personal access
token, or a browser session with its CSRF header) and the Edit Incidents decision."""

from __future__ import annotations

import hmac
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dataflare.access import sessions, tokens
from dataflare.access.roles import (
    ADMIN,
    ADMIN_USER,
    EDIT_ENTITY_INCIDENTS,
    UNAUTHORIZED,
    Caller,
)
from dataflare.catalog.service import owners_by_asset
from dataflare.core.clock import format_time
from dataflare.core.errors import Forbidden, Unauthenticated

MISSING = "Missing access token: send the header 'Authorization: Bearer <personal access token>'."
MALFORMED = "Malformed Authorization header: expected 'Bearer <personal access token>'."
UNKNOWN = "Invalid access token: it is unknown or has been revoked."
CSRF_HEADER = "X-CSRF-Token"
# Our tokens have about 50 characters; anything far longer is not one (and is not hashed).
MAX_SECRET_CHARS = 1_000


@dataclass(frozen=True)
class Credentials:
    """What a request carries to prove who it is."""

    authorization: str | None = None  # the Authorization header
    session_cookie: str | None = None
    csrf_token: str | None = None  # the X-CSRF-Token header, needed with the session cookie


@dataclass(frozen=True)
class Authenticated:
    caller: Caller
    # A token whose last use is over a minute old; the surface records the use after the
    # request, in a short transaction of its own, so reads stay reads.
    stale_token: int | None = None


def check_presented(credentials: Credentials) -> None:
    """Refuse at once, before reading the body or the database, a request that presents no
    credentials or a malformed Authorization header."""
    if credentials.authorization is None and credentials.session_cookie:
        return
    if not credentials.authorization:
        raise Unauthenticated(MISSING)
    _bearer_secret(credentials.authorization)


def _bearer_secret(authorization: str) -> str:
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or len(secret) > MAX_SECRET_CHARS:
        raise Unauthenticated(MALFORMED)
    return secret


def authenticate_request(
    session: Session, credentials: Credentials, admin_token: str | None, now: int
) -> Authenticated:
    """The user behind a request, or Unauthenticated saying why not."""
    if credentials.authorization is None and credentials.session_cookie:
        return Authenticated(_session_caller(session, credentials))
    if not credentials.authorization:
        raise Unauthenticated(MISSING)
    secret = _bearer_secret(credentials.authorization)
    # DATAFLARE_ADMIN_TOKEN is configuration, not a row: it always acts as the built-in admin,
    # who can be neither disabled nor demoted.
    if admin_token and hmac.compare_digest(secret.encode(), admin_token.encode()):
        return Authenticated(Caller(ADMIN_USER, ADMIN))
    found = tokens.find_token(session, secret)
    if found is None:
        raise Unauthenticated(UNKNOWN)
    token, user = found
    if token.expires_at is not None and token.expires_at <= now:
        expired = format_time(token.expires_at, seconds=True)
        raise Unauthenticated(f"Expired access token: it expired at {expired}; create a new one.")
    if not user.active:
        raise Unauthenticated(f"Access token of a disabled user: '{user.name}' is disabled.")
    stale = token.last_used_at is None or token.last_used_at < now - tokens.LAST_USED_RESOLUTION_MS
    return Authenticated(Caller(user.name, user.role), token.id if stale else None)


def _session_caller(session: Session, credentials: Credentials) -> Caller:
    assert credentials.session_cookie is not None
    found = sessions.find_session(session, credentials.session_cookie)
    if found is None:
        raise Unauthenticated("Your session has ended: sign in again at /login.")
    web_session, user = found
    if not sessions.csrf_matches(web_session.csrf_token, credentials.csrf_token):
        raise Unauthenticated(
            f"Missing or wrong {CSRF_HEADER} header: a request with a session cookie must "
            "send the CSRF token of its session."
        )
    return Caller(user.name, user.role)


def can_edit_incidents(session: Session, user: Caller, asset_urns: Iterable[str]) -> bool:
    """May this user raise, update, resolve or reopen incidents on all of these assets?

    The one place that decides it: the role's EDIT_ENTITY_INCIDENTS privilege, or else being a
    named owner (as a user; group membership is not known here) of every one of the assets.
    """
    if user.has(EDIT_ENTITY_INCIDENTS):
        return True
    urns = set(asset_urns)
    owners = owners_by_asset(session, urns) if urns else {}
    return may_edit_incidents(user, {urn: owners.get(urn, set()) for urn in urns})


def may_edit_incidents(user: Caller, owners_by_asset: Mapping[str, Collection[str]]) -> bool:
    """can_edit_incidents, with each asset's owners read already (a page of assets at once)."""
    if user.has(EDIT_ENTITY_INCIDENTS):
        return True
    return bool(owners_by_asset) and all(user.urn in o for o in owners_by_asset.values())


def require_privilege(user: Caller, privilege: str) -> None:
    if not user.has(privilege):
        raise Forbidden(UNAUTHORIZED)


def require_edit_incidents(session: Session, user: Caller, asset_urns: Iterable[str]) -> None:
    if not can_edit_incidents(session, user, asset_urns):
        raise Forbidden(UNAUTHORIZED)
