"""E-mail to owners, through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from dataflare.db.database import Database
from dataflare.notifications.worker import Worker
from tests.e2e.server import free_port
from tests.notifications.conftest import load_catalog, make_config, raise_incident, run_worker


class Mailbox:
    """An SMTP handler that keeps what it is sent, and can refuse the next messages."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []
        self.refusals: list[str] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        self.received.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def mail_config(port: int, **email_settings: Any) -> Any:
    values = {"enabled": True, "host": "127.0.0.1", "port": port, "from": "dataflare@example.com"}
    return make_config({"email": {**values, **email_settings}})


def test_owners_with_an_address_get_an_email(db: Database, smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    load_catalog(db)
    raise_incident(db, priority="CRITICAL")

    config = mail_config(port, also_to=["oncall@example.com"])
    run_worker(Worker(db, config), lambda: bool(mailbox.received))

    [(recipients, message)] = mailbox.received
    assert recipients == ["bob@example.com", "oncall@example.com"]  # Bob is the owner with one
    assert message["Subject"] == "Incident raised: Orders are late"
    assert message["From"] == "dataflare@example.com"
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    text = body.decode()
    assert "Priority: CRITICAL" in text
    assert "orders (https://dataflare.example.com/asset/urn%3Ali%3Adataset" in text
    assert "Raised by Jane Doe" in text


def test_a_temporary_smtp_refusal_is_retried(db: Database, smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    mailbox.refusals.append("451 Try again later")
    load_catalog(db)
    raise_incident(db)

    run_worker(Worker(db, mail_config(port)), lambda: bool(mailbox.received))

    assert mailbox.refusals == []
    assert mailbox.received[0][0] == ["bob@example.com"]


def test_email_is_off_unless_enabled() -> None:
    config = make_config({"email": {"host": "127.0.0.1", "from": "x@example.com"}})
    assert config.email is None
    assert not config.configured
