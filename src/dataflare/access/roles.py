"""Roles, privileges, and who is calling. Admin has every privilege; Editor edits incidents and
sends metadata; Reader only reads."""

from __future__ import annotations

from dataclasses import dataclass

from dataflare.core.errors import InvalidInput
from dataflare.core.urns import user_urn

ADMIN_USER = "datahub"

EDIT_ENTITY_INCIDENTS = "EDIT_ENTITY_INCIDENTS"
MANAGE_ACCESS_TOKENS = "MANAGE_ACCESS_TOKENS"
MANAGE_USERS = "MANAGE_USERS"
INGEST_METADATA = "INGEST_METADATA"  # send metadata to the ingestion endpoints
PRIVILEGES = (EDIT_ENTITY_INCIDENTS, MANAGE_ACCESS_TOKENS, MANAGE_USERS, INGEST_METADATA)

ADMIN, EDITOR, READER = "Admin", "Editor", "Reader"
ROLES: dict[str, frozenset[str]] = {
    ADMIN: frozenset(PRIVILEGES),
    EDITOR: frozenset({EDIT_ENTITY_INCIDENTS, INGEST_METADATA}),
    READER: frozenset(),
}
ROLE_URN_PREFIX = "urn:li:dataHubRole:"

UNAUTHORIZED = "Unauthorized to perform this action. Please contact your DataHub administrator."


@dataclass(frozen=True)
class Caller:
    """The user a request acts for, as authenticated."""

    name: str
    role: str

    @property
    def urn(self) -> str:
        return user_urn(self.name)

    def has(self, privilege: str) -> bool:
        return privilege in ROLES.get(self.role, frozenset())


# The command line runs with server-side access (it reads the database directly), so it acts
# as the admin.
SERVER_SIDE = Caller(ADMIN_USER, ADMIN)


def check_role(role: str) -> str:
    """A role name, also accepted as DataHub's role URN (urn:li:dataHubRole:Editor)."""
    name = role.removeprefix(ROLE_URN_PREFIX)
    for known in ROLES:
        if name.lower() == known.lower():
            return known
    raise InvalidInput(f"Unknown role '{role}': use one of {', '.join(ROLES)}.")
