"""Access tables: users, personal access tokens (stored only as hashes), web sessions,
failed logins and the server's signing key."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflare.core.urns import user_urn
from dataflare.db.base import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id; None: no login
    role: Mapped[str] = mapped_column(String(16))  # roles.ROLES
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[int] = mapped_column(BigInteger)

    @property
    def urn(self) -> str:
        return user_urn(self.name)


class AccessToken(Base):
    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[str] = mapped_column(String(64), unique=True)  # public id, safe to show
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the secret
    user_name: Mapped[str] = mapped_column(String(200), index=True)  # whom the token acts as
    owner_name: Mapped[str | None] = mapped_column(String(200), index=True)  # who created it
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int | None] = mapped_column(BigInteger)  # None: never
    last_used_at: Mapped[int | None] = mapped_column(BigInteger)  # at most a minute stale


class WebSession(Base):
    """A browser login. The cookie holds the signed secret; the row holds its hash."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)


class LoginFailure(Base):
    """One failed login, kept for the length of the limit's window."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[int] = mapped_column(BigInteger, index=True)


class ServerKey(Base):
    """Secrets every server process must share, e.g. the cookie signing key."""

    __tablename__ = "server_keys"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
