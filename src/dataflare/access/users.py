"""Local users: names, argon2id password hashes, roles, and whether they may sign in at all."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dataflare.access.models import User
from dataflare.access.roles import (
    ADMIN,
    ADMIN_USER,
    MANAGE_USERS,
    UNAUTHORIZED,
    Caller,
    check_role,
)
from dataflare.core.clock import now_ms
from dataflare.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dataflare.core.limits import MAX_LIST_COUNT, MAX_PASSWORD_CHARS
from dataflare.core.text import check_text
from dataflare.core.urns import entity_type_of

_USER_NAME = re.compile(r"[A-Za-z0-9._@+-]{1,200}")
MIN_PASSWORD_LENGTH = 8
# argon2-cffi's defaults are argon2id (RFC 9106 "low memory" profile); the hash names them.
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so a wrong name costs as long as a wrong
    password. Made on first use: hashing at import cost every command and start 0.3 s."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass
class UserPage:
    start: int
    count: int
    total: int
    users: list[User]


def check_name(name: str) -> str:
    if not _USER_NAME.fullmatch(name):
        shown = name if len(name) <= 100 else name[:100] + "..."
        raise InvalidInput(f"Invalid user name '{shown}': use letters, digits and . _ @ + - only.")
    return name


def name_of(user: str) -> str:
    """A user name given as a name or as `urn:li:corpuser:<name>`."""
    if entity_type_of(user) == "corpuser":
        return user.split(":", 3)[3]
    return check_name(user)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    check_text(password, "The password", MAX_PASSWORD_CHARS)
    return _hasher.hash(password)


def password_matches(user: User | None, password: str) -> bool:
    return hash_matches(user.password_hash if user is not None else None, password)


def hash_matches(stored: str | None, password: str) -> bool:
    """Whether the password is the one of this stored hash (None: no password, never a match).
    Slow by design (argon2id): keep it out of transactions, above all write transactions."""
    if len(password) > MAX_PASSWORD_CHARS:  # no such password was ever set; not worth hashing
        return False
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def get_user(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def users_by_name(session: Session, names: Sequence[str]) -> dict[str, User]:
    return {u.name: u for u in session.scalars(select(User).where(User.name.in_(names)))}


def account_names(session: Session, limit: int) -> list[str]:
    """The names of up to `limit` active accounts, in order: people to suggest as assignees
    (any signed-in user sees who is assigned to what, so their names are no secret)."""
    query = select(User.name).where(User.active.is_(True)).order_by(User.name).limit(limit)
    return list(session.scalars(query))


def require_user(session: Session, user: str) -> User:
    found = get_user(session, name_of(user))
    if found is None:
        raise NotFound(f"No user '{name_of(user)}'.")
    return found


def _require_manager(caller: Caller) -> None:
    if not caller.has(MANAGE_USERS):
        raise Forbidden(UNAUTHORIZED)


def insert_user(session: Session, name: str, role: str, password: str | None = None) -> User:
    """Add a user without checking who asks: for start-up and the command line."""
    check_name(name)
    if get_user(session, name) is not None:
        raise Conflict(f"User '{name}' already exists.")
    user = User(
        name=name,
        password_hash=hash_password(password) if password is not None else None,
        role=check_role(role),
        active=True,
        created_at=now_ms(),
    )
    session.add(user)
    return user


def create_user(
    session: Session, caller: Caller, name: str, role: str, password: str | None
) -> User:
    _require_manager(caller)
    return insert_user(session, name, role, password)


def list_users(
    session: Session, caller: Caller, start: int = 0, count: int = 20, query: str | None = None
) -> UserPage:
    _require_manager(caller)
    if start < 0 or count < 0 or count > MAX_LIST_COUNT:
        raise InvalidInput(f"start must not be negative and count must be 0..{MAX_LIST_COUNT}.")
    statement = select(User)
    if query and query.strip() not in ("", "*"):
        statement = statement.where(User.name.contains(query.strip(), autoescape=True))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    users = session.scalars(statement.order_by(User.name).offset(start).limit(count))
    return UserPage(start, count, total, list(users))


def set_role(session: Session, caller: Caller, user: str, role: str) -> User:
    _require_manager(caller)
    found = require_user(session, user)
    role = check_role(role)
    if found.name == ADMIN_USER and role != ADMIN:
        raise InvalidInput(f"The built-in admin '{ADMIN_USER}' always has the Admin role.")
    found.role = role
    return found


def assign_role(session: Session, caller: Caller, users: list[str], role: str) -> None:
    for user in users:
        set_role(session, caller, user, role)


def set_active(session: Session, caller: Caller, user: str, active: bool) -> User:
    """Enable or disable a user. A disabled user's tokens and sessions stop working at once."""
    _require_manager(caller)
    found = require_user(session, user)
    if found.name == ADMIN_USER and not active:
        raise InvalidInput(f"The built-in admin '{ADMIN_USER}' cannot be disabled.")
    found.active = active
    return found


def set_password(session: Session, caller: Caller, user: str, password: str) -> User:
    found = require_user(session, user)
    if found.name != caller.name:
        _require_manager(caller)
    found.password_hash = hash_password(password)
    return found


def ensure_admin_exists(session: Session, password: str | None = None) -> bool:
    """Create the admin user if missing (safe when servers start together); True if created."""
    try:
        with session.begin_nested():
            insert_user(session, ADMIN_USER, ADMIN, password)
        return True
    except (Conflict, IntegrityError):
        return False


def ensure_admin(session: Session, password: str | None) -> str | None:
    """Make sure the admin user exists and can sign in. Returns the password when this call
    chose one (to be shown once), None when it was given or the admin was already set up."""
    chosen = None if password else secrets.token_urlsafe(18)
    if ensure_admin_exists(session, password or chosen):
        return chosen
    admin = session.scalars(select(User).where(User.name == ADMIN_USER).with_for_update()).one()
    if admin.password_hash is not None:
        return None
    admin.password_hash = hash_password(password or chosen or "")
    return chosen
