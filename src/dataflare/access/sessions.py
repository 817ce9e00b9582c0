"""Browser sign-in: password logins limited per account and per address, and web sessions
whose signed cookie maps to a row (so logging out, or disabling the user, ends them at once).

A login takes three steps, so that the password's hash (slow by design) is checked outside any
transaction: `start_login` counts the attempt, as a failure until it succeeds (so concurrent
guesses all count against the limit); `hash_matches` checks the password; `finish_login` opens
the session, in a second transaction."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dataflare.access.models import LoginFailure, ServerKey, User, WebSession
from dataflare.access.tokens import hash_secret
from dataflare.access.users import get_user
from dataflare.core.clock import now_ms
from dataflare.core.errors import Forbidden, RateLimited, Unauthenticated

LOGIN_WINDOW_MS = 15 * 60_000
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
SESSION_LIFETIME_MS = 12 * 3_600_000
WRONG_LOGIN = "Wrong user name or password."
COOKIE_NAME = "dataflare_session"
_SIGNING_KEY = "cookie_signing"


@dataclass
class NewSession:
    cookie: str  # signed; set it as the session cookie
    csrf_token: str
    user: User


def signing_key(session: Session) -> str:
    """The key every server process signs cookies with, made on first use."""
    query = select(ServerKey.value).where(ServerKey.name == _SIGNING_KEY)
    existing = session.scalars(query).one_or_none()
    if existing is not None:  # the usual case: no write, so read transactions stay read-only
        return existing
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(ServerKey)
        .values(name=_SIGNING_KEY, value=secrets.token_urlsafe(48))
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return session.scalars(query).one()


def _signer(session: Session, purpose: str) -> TimestampSigner:
    return TimestampSigner(signing_key(session), salt=f"dataflare.{purpose}")


@dataclass(frozen=True)
class LoginAttempt:
    """A login counted, whose password is still to be checked against `password_hash`."""

    account: str
    failure_id: int  # the attempt's row, a failure until the login succeeds
    user_id: int | None
    password_hash: str | None  # the user's stored hash (None: no such user, or no password)


def start_login(session: Session, name: str, address: str) -> LoginAttempt:
    """Refuse a login over the limits, or count it (as a failed one, until `finish_login`)."""
    now = now_ms()
    since = now - LOGIN_WINDOW_MS
    account, address = name.strip()[:200], address[:100]
    by_account = _failures(session, LoginFailure.account == account, since)
    by_address = _failures(session, LoginFailure.address == address, since)
    if by_account >= MAX_FAILURES_PER_ACCOUNT or by_address >= MAX_FAILURES_PER_ADDRESS:
        minutes = LOGIN_WINDOW_MS // 60_000
        raise RateLimited(f"Too many failed logins. Try again in {minutes} minutes.")
    session.execute(delete(LoginFailure).where(LoginFailure.at < since))
    failure = LoginFailure(account=account, address=address, at=now)
    session.add(failure)
    session.flush()
    user = get_user(session, account)
    return LoginAttempt(
        account,
        failure.id,
        user.id if user else None,
        user.password_hash if user else None,
    )


def finish_login(session: Session, attempt: LoginAttempt) -> NewSession:
    """Open a session for an attempt whose password matched its user's hash. A refusal that
    clears the attempt is written before raising: the caller commits even when this raises."""
    user = session.get(User, attempt.user_id) if attempt.user_id is not None else None
    if user is None or user.password_hash != attempt.password_hash:  # changed meanwhile
        raise Unauthenticated(WRONG_LOGIN)
    if not user.active:  # the right password: not a failure to count
        session.execute(delete(LoginFailure).where(LoginFailure.id == attempt.failure_id))
        raise Unauthenticated("This account is disabled. Please contact your administrator.")
    now = now_ms()
    session.execute(delete(LoginFailure).where(LoginFailure.account == attempt.account))
    secret = secrets.token_urlsafe(32)
    web_session = WebSession(
        session_hash=hash_secret(secret),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + SESSION_LIFETIME_MS,
    )
    session.add(web_session)
    cookie = _signer(session, "session").sign(secret).decode()
    return NewSession(cookie, web_session.csrf_token, user)


def _failures(session: Session, which: ColumnElement[bool], since: int) -> int:
    query = select(func.count()).select_from(LoginFailure).where(which, LoginFailure.at >= since)
    return session.scalar(query) or 0


def find_session(session: Session, cookie: str) -> tuple[WebSession, User] | None:
    """The live session and its (active) user behind a session cookie, or None."""
    max_age = SESSION_LIFETIME_MS // 1000
    try:
        secret = _signer(session, "session").unsign(cookie, max_age=max_age).decode()
    except BadSignature:
        return None
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.session_hash == hash_secret(secret))
    ).one_or_none()
    if row is None or row[0].expires_at <= now_ms() or not row[1].active:
        return None
    return row[0], row[1]


def csrf_matches(expected: str, given: str | None) -> bool:
    """The one CSRF comparison: constant-time, so a guess learns nothing from the timing."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def log_out(session: Session, cookie: str | None, csrf_token: str | None) -> None:
    """End the session behind a cookie; its CSRF token must come with the request."""
    found = find_session(session, cookie) if cookie else None
    if found is None:
        return
    if not csrf_matches(found[0].csrf_token, csrf_token):
        raise Forbidden("The form has expired or was not sent from this site: please try again.")
    session.delete(found[0])


def login_form_token(session: Session) -> str:
    """A CSRF token for the login form, before there is a session (double-submit cookie)."""
    return _signer(session, "login-form").sign(secrets.token_urlsafe(16)).decode()


def login_form_token_valid(session: Session, cookie: str | None, form: str | None) -> bool:
    if not cookie or not form or not csrf_matches(cookie, form):
        return False
    try:
        _signer(session, "login-form").unsign(form, max_age=SESSION_LIFETIME_MS // 1000)
    except BadSignature:
        return False
    return True
