"""Assignees in the web UI: the people to suggest as one types, and a name nobody knows refused
in words before anything is saved (the API takes any well-formed URN, as DataHub does)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dataflare.access.users import account_names, users_by_name
from dataflare.catalog.people import MAX_SUGGESTED, known_of, known_people
from dataflare.core.errors import InvalidInput
from dataflare.core.urns import entity_type_of, user_urn
from dataflare.incidents.rules import check_assignees
from dataflare.web.handling import Call

USER_PREFIX = "urn:li:corpuser:"


@dataclass(frozen=True)
class Choice:
    """One suggestion: what goes in the field, and what the list shows beside it."""

    value: str
    label: str


def suggestions(session: Session) -> list[Choice]:
    """Accounts and the people and groups the metadata knows, users by their bare name."""
    found: dict[str, Choice] = {}
    for name in account_names(session, MAX_SUGGESTED):
        found[user_urn(name)] = Choice(name, f"{name} (account)")
    for person in known_people(session):
        shown = person.display_name or person.urn.split(":", 3)[-1]
        group = " (group)" if entity_type_of(person.urn) == "corpGroup" else ""
        found.setdefault(person.urn, Choice(field_value(person.urn), f"{shown}{group}"))
    return sorted(found.values(), key=lambda c: c.value.lower())


def field_value(urn: str) -> str:
    """How an assignee is written in a field: a user by its name, anything else by its URN."""
    return urn.removeprefix(USER_PREFIX) if urn.startswith(USER_PREFIX) else urn


def given_assignees(call: Call) -> list[str]:
    """The assignee fields as written: one per field, or the dialog's comma-separated list."""
    texts = [t.strip() for t in call.form.get("assignee", []) if t.strip()]
    listed = call.field("assignees")
    texts += [part.strip() for part in listed.replace(";", ",").split(",") if part.strip()]
    return texts


def assignee_urns(texts: Iterable[str]) -> list[str]:
    """`jdoe`, `urn:li:corpGroup:analytics` -> URNs: a bare name is a user."""
    return [text if text.startswith("urn:li:") else user_urn(text) for text in texts]


def known_assignees(session: Session, texts: list[str], already: Iterable[str] = ()) -> list[str]:
    """The URNs of the assignees written, refusing those nobody knows: not an account, not in
    the metadata, and not assigned already (an assignee from elsewhere stays assignable)."""
    urns = assignee_urns(texts)
    check_assignees(urns)  # a malformed one is said as such first
    known = set(already) | known_of(session, urns)
    names = [u.removeprefix(USER_PREFIX) for u in urns if u.startswith(USER_PREFIX)]
    known |= {user_urn(name) for name in users_by_name(session, names)}
    unknown = [text for text, urn in zip(texts, urns, strict=True) if urn not in known]
    if unknown:
        listed = ", ".join(f"'{text[:80]}'" for text in unknown[:5])
        raise InvalidInput(
            f"Dataflare knows no user or group {listed}: pick assignees from the suggestions "
            "(people with an account, or named in the metadata as owners or users)."
        )
    return check_assignees(urns)  # each once
