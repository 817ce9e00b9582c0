"""Signed webhooks: a JSON event POSTed to each endpoint, signed with HMAC-SHA256 over
`<timestamp>.<body>` with every active secret (two while rotating)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from dataflare import __version__
from dataflare.notifications.audience import Owner
from dataflare.notifications.config import Webhook
from dataflare.notifications.failures import DeliveryFailed, http_failure
from dataflare.notifications.message import Notice

SIGNATURE_HEADER = "X-Dataflare-Signature"
TIMESTAMP_HEADER = "X-Dataflare-Timestamp"
EVENT_HEADER = "X-Dataflare-Event"
QUICK_ACK: int | None = getattr(socket, "TCP_QUICKACK", None)  # Linux only


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


class WebhookSender:
    """POSTs events to the webhook endpoints, each over a connection kept open between
    deliveries (HTTP/1.1 keep-alive): opening one per delivery was much of what a delivery to
    a nearby receiver cost. Each request leaves in one write (http.client writes the headers
    and the body apart). A connection idle for more than IDLE_SECONDS is closed rather than
    reused: the receiver may have closed its end meanwhile, and a POST that fails on such a
    connection cannot be told apart from one the receiver handled, so it is never sent again
    at once (the queue retries it later, as any other failure)."""

    IDLE_SECONDS = 1.0

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._open: dict[str, tuple[socket.socket, float]] = {}
        self._tls = ssl.create_default_context()

    def send(self, webhook: Webhook, notice: Notice) -> None:
        body = json.dumps(event_body(notice), separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        parts = urlsplit(webhook.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = (
            f"POST {path} HTTP/1.1\r\n"
            f"Host: {parts.netloc.rpartition('@')[2]}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"User-Agent: Dataflare/{__version__}\r\n"
            f"{EVENT_HEADER}: evt-{notice.event.id}\r\n"
            f"{TIMESTAMP_HEADER}: {timestamp}\r\n"
            f"{SIGNATURE_HEADER}: {signature_header(webhook.secrets, timestamp, body)}\r\n"
            "\r\n"
        )
        try:
            sock = self._socket(webhook.url, parts.scheme, parts.hostname or "", parts.port)
        except OSError as error:
            raise DeliveryFailed(f"{webhook.name} could not be reached: {error}") from error
        try:
            sock.sendall(head.encode("latin-1") + body)
            if QUICK_ACK is not None:
                # Acknowledge the answer's first segment at once: a receiver that writes its
                # headers and its body apart, without TCP_NODELAY, sends the body only then,
                # and a delayed acknowledgement would cost 40 ms a delivery.
                sock.setsockopt(socket.IPPROTO_TCP, QUICK_ACK, 1)
            response = http.client.HTTPResponse(sock, method="POST")
            response.begin()
            answer = response.read()
        except (OSError, http.client.HTTPException) as error:  # reset, timed out, garbled
            sock.close()
            raise DeliveryFailed(f"{webhook.name} could not be reached: {error}") from error
        if response.will_close:
            sock.close()
        else:
            self._open[webhook.url] = (sock, time.monotonic())
        if not 200 <= response.status < 300:
            text = answer.decode("utf-8", "replace")
            raise http_failure(response.status, text, response.getheader("Retry-After"))

    def close(self) -> None:
        for sock, _ in self._open.values():
            sock.close()
        self._open.clear()

    def _socket(self, url: str, scheme: str, host: str, port: int | None) -> socket.socket:
        known = self._open.pop(url, None)
        if known is not None:
            sock, used_at = known
            if time.monotonic() - used_at <= self.IDLE_SECONDS:
                return sock
            sock.close()
        tls = scheme == "https"
        sock = socket.create_connection((host, port or (443 if tls else 80)), self.timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if tls:
                sock = self._tls.wrap_socket(sock, server_hostname=host)
        except OSError:
            sock.close()
            raise
        return sock
