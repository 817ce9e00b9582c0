"""Signed webhooks: the event a receiver gets, and the verification shown in docs/webhooks.md."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dataflare.db.database import Database
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
from tests.notifications.receivers import Receiver

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
