"""Personal access tokens: shown once, stored as hashes, with an optional expiry.

A user manages the tokens that act as them or that they created; MANAGE_ACCESS_TOKENS
(Admin) manages everyone's.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from dataflare.access.models import AccessToken, User
from dataflare.access.roles import EDITOR, MANAGE_ACCESS_TOKENS, UNAUTHORIZED, Caller
from dataflare.access.users import check_name, get_user, insert_user, name_of, require_user
from dataflare.core.clock import now_ms
from dataflare.core.errors import Forbidden, InvalidInput, NotFound
from dataflare.core.limits import MAX_DESCRIPTION_BYTES, MAX_LABEL_CHARS, MAX_LIST_COUNT
from dataflare.core.text import check_bytes, check_text

TOKEN_PREFIX = "dfp_"
TOKEN_URN_PREFIX = "urn:li:dataHubAccessToken:"
# A token's last use is written at most this often, so a busy token costs no write per request.
LAST_USED_RESOLUTION_MS = 60_000

_HOUR = 3_600_000
_DAY = 24 * _HOUR
DURATIONS: dict[str, int | None] = {
    "ONE_HOUR": _HOUR,
    "ONE_DAY": _DAY,
    "ONE_WEEK": 7 * _DAY,
    "ONE_MONTH": 30 * _DAY,
    "THREE_MONTHS": 90 * _DAY,
    "SIX_MONTHS": 180 * _DAY,
    "ONE_YEAR": 365 * _DAY,
    "NO_EXPIRY": None,
}
# listAccessTokens filter field -> column
_FILTER_COLUMNS = {"ownerUrn": AccessToken.owner_name, "actorUrn": AccessToken.user_name}


@dataclass
class TokenPage:
    start: int
    count: int
    total: int
    tokens: list[AccessToken]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_urn(token: AccessToken) -> str:
    return TOKEN_URN_PREFIX + token.token_id


def insert_token(
    session: Session,
    user_name: str,
    name: str,
    duration: str = "NO_EXPIRY",
    description: str | None = None,
    owner_name: str | None = None,
) -> tuple[AccessToken, str]:
    """A new token acting as a user; the secret is returned here and never again."""
    check_text(name, "The token's name", MAX_LABEL_CHARS)
    if not name.strip():
        raise InvalidInput("A token needs a name, e.g. --name 'airflow prod'.")
    if description is not None:
        check_bytes(description, "The token's description", MAX_DESCRIPTION_BYTES)
    if duration not in DURATIONS:
        raise InvalidInput(f"Unknown duration '{duration}': use one of {', '.join(DURATIONS)}.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = now_ms()
    lifetime = DURATIONS[duration]
    token = AccessToken(
        token_id=uuid.uuid4().hex,
        token_hash=hash_secret(secret),
        user_name=user_name,
        owner_name=owner_name or user_name,
        name=name.strip(),
        description=description,
        created_at=now,
        expires_at=None if lifetime is None else now + lifetime,
    )
    session.add(token)
    return token, secret


def create_token(
    session: Session, user_name: str, name: str, duration: str = "NO_EXPIRY"
) -> tuple[AccessToken, str]:
    """A token made with server-side access (the command line): a user not seen before is
    created as an Editor, without a password, so the token can raise and resolve incidents."""
    check_name(user_name)
    if get_user(session, user_name) is None:
        insert_user(session, user_name, EDITOR)
    return insert_token(session, user_name, name, duration)


def create_access_token(
    session: Session,
    caller: Caller,
    actor_urn: str,
    name: str,
    duration: str,
    description: str | None = None,
) -> tuple[AccessToken, str]:
    """createAccessToken: for oneself, or for anyone with MANAGE_ACCESS_TOKENS."""
    actor = name_of(actor_urn)
    if actor != caller.name and not caller.has(MANAGE_ACCESS_TOKENS):
        raise Forbidden(UNAUTHORIZED)
    user = require_user(session, actor)
    if not user.active:
        raise InvalidInput(f"User '{actor}' is disabled: enable the user first.")
    return insert_token(session, actor, name, duration, description, owner_name=caller.name)


def list_access_tokens(
    session: Session,
    caller: Caller,
    start: int = 0,
    count: int = 20,
    filters: Sequence[tuple[str, Sequence[str]]] = (),
) -> TokenPage:
    """listAccessTokens, newest first. Filters are on ownerUrn and actorUrn."""
    if start < 0 or count < 0 or count > MAX_LIST_COUNT:
        raise InvalidInput(f"start must not be negative and count must be 0..{MAX_LIST_COUNT}.")
    query = select(AccessToken)
    manager = caller.has(MANAGE_ACCESS_TOKENS)
    for field, values in filters:
        if field not in _FILTER_COLUMNS:
            raise InvalidInput(
                f"Unknown filter field '{field}': access tokens filter on ownerUrn and actorUrn."
            )
        names = [name_of(value) for value in values]
        if not manager and any(n != caller.name for n in names):
            raise Forbidden(UNAUTHORIZED)
        query = query.where(_FILTER_COLUMNS[field].in_(names))
    if not manager:
        query = query.where(
            or_(AccessToken.user_name == caller.name, AccessToken.owner_name == caller.name)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AccessToken.created_at.desc(), AccessToken.id.desc())
        .offset(start)
        .limit(count)
    )
    return TokenPage(start, count, total, list(rows))


def revoke_access_token(session: Session, caller: Caller, token_id: str) -> None:
    """Delete a token; requests carrying it are refused from the next one on."""
    token_id = token_id.removeprefix(TOKEN_URN_PREFIX)
    token = session.scalars(
        select(AccessToken).where(AccessToken.token_id == token_id)
    ).one_or_none()
    if token is None:
        raise NotFound(f"Access token {token_id} does not exist.")
    own = caller.name in (token.user_name, token.owner_name)
    if not own and not caller.has(MANAGE_ACCESS_TOKENS):
        raise Forbidden(UNAUTHORIZED)
    session.delete(token)


def find_token(session: Session, secret: str) -> tuple[AccessToken, User] | None:
    row = session.execute(
        select(AccessToken, User)
        .join(User, User.name == AccessToken.user_name)
        .where(AccessToken.token_hash == hash_secret(secret))
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def record_use(session: Session, token_id: int, now: int) -> None:
    """Note that a token was used, unless another request did so within the last minute."""
    session.execute(
        update(AccessToken)
        .where(AccessToken.id == token_id)
        .where(
            or_(
                AccessToken.last_used_at.is_(None),
                AccessToken.last_used_at < now - LAST_USED_RESOLUTION_MS,
            )
        )
        .values(last_used_at=now)
    )
