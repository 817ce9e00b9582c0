"""Signed webhooks: a JSON event POSTed to each endpoint, signed with HMAC-SHA256 over
`<timestamp>.<body>` with every active secret (two while rotating)."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
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
        # HTTP_PROXY, HTTPS_PROXY and NO_PROXY, as urllib reads them: where a proxy applies, the
        # request goes through urllib (no kept connection; a proxy is not a nearby receiver).
        self._proxies = urllib.request.getproxies()
        self._through_proxy = urllib.request.build_opener(
            urllib.request.ProxyHandler(self._proxies), _NoRedirects()
        )

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
        if self._proxied(parts.scheme, parts.hostname or ""):
            self._send_through_proxy(webhook, head, body)
            return
        request = head.encode("latin-1") + body  # the URL is checked ASCII (config._url)
        try:
            sock = self._socket(webhook.url, parts.scheme, parts.hostname or "", parts.port)
        except OSError as error:
            raise DeliveryFailed(f"{webhook.name} could not be reached: {error}") from error
        try:
            sock.sendall(request)
            if QUICK_ACK is not None:
                # Acknowledge the answer's first segment at once: a receiver that writes its
                # headers and its body apart, without TCP_NODELAY, sends the body only then,
                # and a delayed acknowledgement would cost 40 ms a delivery.
                sock.setsockopt(socket.IPPROTO_TCP, QUICK_ACK, 1)
            answer = read_answer(sock)
        except (OSError, BadAnswer) as error:  # reset, timed out, garbled
            sock.close()
            raise DeliveryFailed(f"{webhook.name} could not be reached: {error}") from error
        except BaseException:
            sock.close()  # whatever else went wrong, never keep a half-read connection
            raise
        if answer.will_close:
            sock.close()
        else:
            self._open[webhook.url] = (sock, time.monotonic())
        if not 200 <= answer.status < 300:
            text = answer.body.decode("utf-8", "replace")
            raise http_failure(answer.status, text, answer.headers.get("retry-after"))

    def _proxied(self, scheme: str, host: str) -> bool:
        if scheme not in self._proxies:
            return False
        # NO_PROXY as read at start (the proxies' "no" entry); typeshed omits this function.
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        return not bypass(host, self._proxies)

    def _send_through_proxy(self, webhook: Webhook, head: str, body: bytes) -> None:
        lines = head.split("\r\n")[1:]  # the headers written for a direct request, minus Host
        headers = dict(line.split(": ", 1) for line in lines if ": " in line)
        headers.pop("Host", None)
        request = urllib.request.Request(webhook.url, body, headers, method="POST")
        try:
            with self._through_proxy.open(request, timeout=self.timeout) as response:
                response.read(MAX_BODY)
        except urllib.error.HTTPError as answer:  # a status outside 2xx (3xx: not followed)
            text = answer.read(MAX_BODY).decode("utf-8", "replace")
            raise http_failure(answer.code, text, answer.headers.get("Retry-After")) from answer
        except OSError as error:  # URLError included: the proxy or the receiver unreachable
            raise DeliveryFailed(f"{webhook.name} could not be reached: {error}") from error

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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is the receiver's answer, as on the direct path: the delivery is refused."""

    def redirect_request(self, *_: Any, **__: Any) -> None:
        return None


class BadAnswer(Exception):
    """The receiver's answer is not HTTP as we can read it."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes
    will_close: bool  # the receiver closes the connection after this answer


MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024  # of an answer we only show the start of (in `last_error`)


def read_answer(sock: socket.socket) -> Answer:
    """One HTTP/1.x answer, read straight from the socket: the status line and headers, then
    the body by Content-Length, chunked, or up to the close (http.client parses headers with
    the e-mail package, which cost a fifth of a delivery). The request was a POST and sent
    nothing after it, so nothing of a next answer can be read by mistake."""
    rest = b""
    while True:  # an interim answer (100 Continue, 103 Early Hints) comes before the real one
        version, status, lines, rest = _head(sock, rest)
        if not 100 <= status < 200:
            break
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    connection = headers.get("connection", "").lower()
    will_close = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
    if status in (204, 304):
        return Answer(status, headers, b"", will_close)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return Answer(status, headers, _chunked(sock, rest), will_close)
    length = headers.get("content-length")
    if length is None:  # the body runs to the close
        while True:
            try:
                rest += _more(sock, len(rest), MAX_BODY)
            except BadAnswer:
                break
        return Answer(status, headers, rest, True)
    if not (length.isascii() and length.isdigit()) or int(length) > MAX_BODY:
        raise BadAnswer(f"Content-Length {length[:20]!r} is not one we read")
    while len(rest) < int(length):
        rest += _more(sock, len(rest), MAX_BODY)
    return Answer(status, headers, rest[: int(length)], will_close)


def _head(sock: socket.socket, data: bytes) -> tuple[str, int, list[str], bytes]:
    """The next status line and headers: (version, status, lines, what came after them)."""
    while b"\r\n\r\n" not in data:
        data += _more(sock, len(data), MAX_HEAD)
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, _, status_text = lines[0].partition(" ")
    code = status_text[:3]
    if not version.startswith("HTTP/1.") or not (code.isascii() and code.isdigit()):
        raise BadAnswer(f"not an HTTP answer: {lines[0][:100]!r}")
    return version, int(code), lines, rest


def _more(sock: socket.socket, have: int, limit: int) -> bytes:
    if have > limit:
        raise BadAnswer(f"the answer is longer than {limit} bytes")
    chunk = sock.recv(65536)
    if not chunk:
        raise BadAnswer("the connection was closed before the answer was complete")
    return chunk


def _chunked(sock: socket.socket, data: bytes) -> bytes:
    body = b""
    while True:
        while b"\r\n" not in data:
            data += _more(sock, len(data), MAX_BODY)
        size_line, _, data = data.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0].strip(), 16)
        except ValueError as error:
            raise BadAnswer(f"bad chunk size {size_line[:20]!r}") from error
        if size == 0:  # the last chunk; trailers, if any, end with an empty line
            while not (data.startswith(b"\r\n") or b"\r\n\r\n" in data):
                data += _more(sock, len(data), MAX_HEAD)
            return body
        while len(data) < size + 2:
            data += _more(sock, len(body) + len(data), MAX_BODY)
        body += data[:size]
        data = data[size + 2 :]
