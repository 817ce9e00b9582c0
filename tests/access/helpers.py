"""Users and tokens made straight through the services, for tests that need several roles."""

from __future__ import annotations

from dataflare.access import tokens, users
from dataflare.db.database import Database

PASSWORD = "correct horse battery"


def user_with_token(db: Database, name: str, role: str, password: str | None = None) -> str:
    """Create a user with a role; return a fresh token acting as them."""
    with db.session(write=True) as session:
        users.insert_user(session, name, role, password)
        _, secret = tokens.insert_token(session, name, "tests")
    return secret
