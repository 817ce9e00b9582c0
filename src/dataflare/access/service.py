"""Access rules for the API: personal access tokens, shown once and stored as hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflare.access.models import AccessToken
from dataflare.clock import now_ms
from dataflare.errors import InvalidInput, Unauthenticated

ADMIN_USER = "datahub"
TOKEN_PREFIX = "dfp_"
_USER_NAME = re.compile(r"[A-Za-z0-9._@+-]{1,200}")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, user_name: str, name: str) -> tuple[AccessToken, str]:
    """A new token for a user; the secret is returned here and never again."""
    if not _USER_NAME.fullmatch(user_name):
        raise InvalidInput(
            f"Invalid user name '{user_name}': use letters, digits and . _ @ + - only."
        )
    if not name.strip():
        raise InvalidInput("A token needs a name, e.g. --name 'airflow prod'.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(
        token_id=uuid.uuid4().hex,
        token_hash=_hash(secret),
        user_name=user_name,
        name=name.strip()[:200],
        created_at=now_ms(),
    )
    session.add(token)
    session.flush()
    return token, secret


def authenticate(session: Session, authorization: str | None, admin_token: str | None) -> str:
    """The user name behind an `Authorization: Bearer <token>` header, or Unauthenticated."""
    if not authorization:
        raise Unauthenticated(
            "Missing access token: send the header 'Authorization: Bearer <personal access token>'."
        )
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise Unauthenticated(
            "Malformed Authorization header: expected 'Bearer <personal access token>'."
        )
    if admin_token and hmac.compare_digest(secret.encode(), admin_token.encode()):
        return ADMIN_USER
    user = session.scalar(
        select(AccessToken.user_name).where(AccessToken.token_hash == _hash(secret))
    )
    if user is None:
        raise Unauthenticated("Invalid access token: it is unknown or has been revoked.")
    return user
