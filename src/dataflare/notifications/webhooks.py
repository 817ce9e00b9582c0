"""Signed webhooks: a JSON event POSTed to each endpoint, signed with HMAC-SHA256 over
`<timestamp>.<body>` with every active secret (two while rotating)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from dataflare import __version__
from dataflare.notifications.audience import Owner
from dataflare.notifications.config import Webhook
from dataflare.notifications.failures import DeliveryFailed, http_failure
from dataflare.notifications.message import Notice

SIGNATURE_HEADER = "X-Dataflare-Signature"
TIMESTAMP_HEADER = "X-Dataflare-Timestamp"
EVENT_HEADER = "X-Dataflare-Event"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    signed = timestamp.encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secrets: tuple[str, ...], timestamp: str, body: bytes) -> str:
    """One `v1=` signature per active secret; the receiver accepts any that matches its own."""
    return ", ".join(sign(secret, timestamp, body) for secret in secrets)


def event_body(notice: Notice) -> dict[str, Any]:
    event = notice.event
    audience = notice.audience
    return {
        "id": f"evt-{event.id}",
        "type": "incident.raised" if event.kind == "RAISED" else "incident.changed",
        "occurredAt": event.at,
        "actor": {"urn": audience.actor.urn, "name": audience.actor.name},
        "incident": {**notice.incident, "link": notice.link},
        "changes": event.changes,
        "message": event.message,
        "assets": [
            {"urn": a.urn, "name": a.name, "platform": a.platform, "link": a.link}
            for a in audience.assets
        ],
        "owners": [_owner(o) for o in audience.owners],
        "downstreamOwners": [_owner(o) for o in audience.downstream_owners],
    }


def _owner(owner: Owner) -> dict[str, Any]:
    person = owner.person
    return {
        "urn": person.urn,
        "name": person.name,
        "email": person.email,
        "slack": person.slack,
        "asset": owner.asset_urn,
        "degree": owner.degree,
    }


def send(webhook: Webhook, notice: Notice, timeout: float) -> None:
    body = json.dumps(event_body(notice), separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"Dataflare/{__version__}",
            EVENT_HEADER: f"evt-{notice.event.id}",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature_header(webhook.secrets, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        answer = error.read().decode("utf-8", "replace")
        raise http_failure(error.code, answer, error.headers.get("Retry-After")) from error
    except OSError as error:  # refused, reset, timed out, DNS
        raise DeliveryFailed(f"{webhook.name} could not be reached: {error}") from error
