"""Signed webhooks: the event a receiver gets, and the verification shown in docs/webhooks.md."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update as update_table

from dataflare.catalog import service as catalog
from dataflare.core.clock import now_ms
from dataflare.db.database import Database
from dataflare.events.models import EVENTS
from dataflare.notifications import queue, webhooks
from dataflare.notifications.worker import Worker
from tests.notifications.conftest import (
    ACTOR,
    ORDERS,
    REVENUE,
    load_catalog,
    make_config,
    raise_incident,
    run_worker,
    update,
    user,
)
from tests.notifications.receivers import Answer, Receiver

DOCS = Path(__file__).parents[2] / "docs" / "webhooks.md"
Verify = Callable[[str, str, str, bytes], bool]


def documented_verify() -> Verify:
    """The receiver's snippet, taken from the guide as a reader would copy it."""
    [snippet] = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(compile(snippet, str(DOCS), "exec"), namespace)
    verify: Verify = namespace["verify"]
    return verify


def header(headers: dict[str, str], name: str) -> str:
    return next(v for k, v in headers.items() if k.lower() == name.lower())


def two_hooks(receiver: Receiver) -> Any:
    return make_config(
        {
            "webhooks": [
                {"name": "pager", "url": f"{receiver.url}/pager", "secrets": ["new", "old"]},
                {"name": "audit", "url": f"{receiver.url}/audit", "secrets": ["audit-secret"]},
            ]
        }
    )


def test_every_endpoint_gets_the_event_with_assets_owners_and_downstream_owners(
    db: Database, receiver: Receiver
) -> None:
    load_catalog(db)
    urn = raise_incident(db, priority="HIGH")
    update(db, urn, assignee_urns=[user("alice")], status={"state": "RESOLVED", "message": "ok"})

    run_worker(
        Worker(db, two_hooks(receiver)),
        lambda: len(receiver.to("/pager")) == 2 and len(receiver.to("/audit")) == 2,
    )

    raised, changed = (r.body for r in receiver.to("/pager"))
    assert [r.body for r in receiver.to("/audit")] == [raised, changed]
    assert raised["type"] == "incident.raised"
    assert raised["changes"] == []
    assert raised["actor"] == {"urn": ACTOR, "name": "Jane Doe"}
    assert raised["incident"]["urn"] == urn
    assert raised["incident"]["priority"] == "HIGH"
    assert raised["incident"]["link"].startswith("https://dataflare.example.com/incident/urn%3Ali")
    assert [a["name"] for a in raised["assets"]] == ["orders"]
    assert [o["urn"] for o in raised["owners"]] == [
        user("alice"),
        user("bob"),
        "urn:li:corpGroup:finance",
    ]
    assert raised["owners"][1]["email"] == "bob@example.com"
    downstream = [(o["urn"], o["degree"]) for o in raised["downstreamOwners"]]
    assert downstream == [(user("carol"), 1), (user("dave"), 2), (user("erin"), 3)]
    assert raised["downstreamOwners"][0]["asset"] == REVENUE
    assert changed["type"] == "incident.changed"
    assert changed["message"] == "ok"
    assert changed["changes"] == [
        {"field": "state", "old": "ACTIVE", "new": "RESOLVED"},
        {"field": "assignees", "old": [], "new": [user("alice")]},
    ]
    assert changed["incident"]["state"] == "RESOLVED"
    assert changed["assets"][0]["urn"] == ORDERS


def test_the_documented_check_accepts_both_secrets_while_rotating_and_nothing_forged(
    db: Database, receiver: Receiver
) -> None:
    raise_incident(db)
    run_worker(Worker(db, two_hooks(receiver)), lambda: len(receiver.requests) == 2)
    verify = documented_verify()

    [request] = receiver.to("/pager")
    timestamp = header(request.headers, "X-Dataflare-Timestamp")
    signatures = header(request.headers, "X-Dataflare-Signature")
    assert len(signatures.split(",")) == 2
    assert verify("new", timestamp, signatures, request.raw)
    assert verify("old", timestamp, signatures, request.raw)
    assert not verify("audit-secret", timestamp, signatures, request.raw)
    assert not verify("new", timestamp, signatures, request.raw.replace(b"ACTIVE", b"RESOLVED"))
    assert not verify("new", str(int(timestamp) - 1), signatures, request.raw)
    [audit] = receiver.to("/audit")
    audit_signatures = header(audit.headers, "X-Dataflare-Signature")
    assert verify(
        "audit-secret", header(audit.headers, "X-Dataflare-Timestamp"), audit_signatures, audit.raw
    )
    assert header(audit.headers, "X-Dataflare-Event") == request.body["id"]


def test_the_documented_check_refuses_a_replayed_request() -> None:
    verify = documented_verify()
    import hashlib
    import hmac

    body = b'{"id":"evt-1"}'
    old = str(int(time.time()) - 600)
    signature = "v1=" + hmac.new(b"s", old.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert not verify("s", old, signature, body)
    now = str(int(time.time()))
    fresh = "v1=" + hmac.new(b"s", now.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert verify("s", now, fresh, body)


ANSWERS = [
    (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n"
        b"0\r\nX-Trailer: 1\r\n\r\n",
        (200, b"hello world", False),
    ),
    (b"HTTP/1.0 500 Boom\r\n\r\nto the close", (500, b"to the close", True)),
    (
        b"HTTP/1.1 429 Slow down\r\nRetry-After: 3\r\nContent-Length: 4\r\n\r\nslow",
        (429, b"slow", False),
    ),
    (b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", (204, b"", True)),
]


@pytest.mark.parametrize(("raw", "expected"), ANSWERS, ids=["chunked", "close", "length", "204"])
def test_answers_are_read_whatever_their_framing_and_however_they_arrive(
    raw: bytes, expected: tuple[int, bytes, bool]
) -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        for start in range(0, len(raw), 7):  # in small pieces, as a slow network hands them
            theirs.sendall(raw[start : start + 7])
        if expected[2]:
            theirs.shutdown(socket.SHUT_WR)
        answer = webhooks.read_answer(ours)
    assert (answer.status, answer.body, answer.will_close) == expected


def test_an_answer_that_is_not_http_is_a_failure() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(b"SSH-2.0-OpenSSH\r\n\r\n")
        with pytest.raises(webhooks.BadAnswer, match="not an HTTP answer"):
            webhooks.read_answer(ours)


def one_hook(receiver: Receiver) -> Any:
    return make_config(
        {"webhooks": [{"name": "pager", "url": f"{receiver.url}/pager", "secrets": ["s"]}]}
    )


def test_an_event_keeps_the_audience_it_was_routed_with_for_its_retries(
    db: Database, receiver: Receiver
) -> None:
    load_catalog(db)
    receiver.fail_next("/pager", Answer(503, {"error": "busy"}))
    raise_incident(db)
    worker = Worker(db, one_hook(receiver))
    run_worker(worker, lambda: len(receiver.to("/pager")) == 1)
    # the owners change between the failed attempt and its retry
    with db.session(write=True) as session:
        catalog.set_owners(session, ORDERS, [(user("dave"), "TECHNICAL_OWNER")])

    run_worker(worker, lambda: len(receiver.to("/pager")) == 2)

    first, retried = (r.body for r in receiver.to("/pager"))
    assert retried["owners"] == first["owners"]
    assert retried["owners"][0]["urn"] == user("alice")  # as routed, not dave


def test_an_event_routed_without_its_audience_reads_it_when_delivered(
    db: Database, receiver: Receiver
) -> None:
    """Events routed before the upgrade that keeps audiences (0012) have none."""
    load_catalog(db)
    raise_incident(db)
    worker = Worker(db, one_hook(receiver))
    with db.session(write=True) as session:
        queue.fan_out(session, lambda events: worker.route(session, events), now_ms())
        session.execute(update_table(EVENTS).values(audience=None))

    run_worker(worker, lambda: len(receiver.to("/pager")) == 1)

    [body] = (r.body for r in receiver.to("/pager"))
    assert [o["urn"] for o in body["owners"]] == [
        user("alice"),
        user("bob"),
        "urn:li:corpGroup:finance",
    ]
    assert body["downstreamOwners"][0]["urn"] == user("carol")


def test_a_webhook_goes_through_the_proxy_the_environment_names(
    db: Database, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The receiver stands in for the proxy: it answers what it is sent, the full URL included.
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, receiver.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    # Nothing listens on port 1: only through the proxy can the event arrive.
    hook = {"name": "far", "url": "http://localhost:1/far", "secrets": ["s"]}
    raise_incident(db)
    run_worker(Worker(db, make_config({"webhooks": [hook]})), lambda: len(receiver.to("/far")) == 1)

    [request] = receiver.to("/far")
    assert header(request.headers, "Host") == "localhost:1"
    assert request.body["type"] == "incident.raised"
    timestamp = header(request.headers, "X-Dataflare-Timestamp")
    assert documented_verify()(
        "s", timestamp, header(request.headers, "X-Dataflare-Signature"), request.raw
    )


def test_no_proxy_sends_the_webhook_straight_to_its_receiver(
    db: Database, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://proxy.example.invalid:3128")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    raise_incident(db)
    run_worker(Worker(db, two_hooks(receiver)), lambda: len(receiver.requests) == 2)
    assert len(receiver.to("/pager")) == 1


def answer_to(raw: bytes) -> webhooks.Answer:
    """What read_answer makes of these bytes, sent by a peer on a real socket."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(raw)
        theirs.shutdown(socket.SHUT_WR)
        return webhooks.read_answer(ours)


def test_an_interim_answer_is_passed_over_for_the_real_one() -> None:
    answer = answer_to(
        b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    )
    assert (answer.status, answer.body, answer.will_close) == (200, b"ok", False)


@pytest.mark.parametrize(
    "raw",
    [
        "HTTP/1.1 2²0 OK\r\n\r\n".encode(),
        "HTTP/1.1 200 OK\r\nContent-Length: ²\r\n\r\n".encode(),
        b"SMTP ready\r\n\r\n",
    ],
)
def test_an_answer_that_is_not_http_is_a_bad_answer(raw: bytes) -> None:
    with pytest.raises(webhooks.BadAnswer):
        answer_to(raw)
