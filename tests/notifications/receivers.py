"""A real HTTP server on 127.0.0.1 that stands in for Slack's Web API, Slack incoming webhooks
and webhook receivers: it records every request and answers as told."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    answer: dict[str, Any] = field(default_factory=dict)  # what the receiver answered


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    after: float = 0.0  # seconds to hold the request before answering


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender killed mid-request resets its connection: expected, not worth a trace."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Receiver:
    """Start with `with Receiver() as r:`; `r.url` is its base URL."""

    def __init__(self, delay: float = 0.0, keep_alive: bool = False) -> None:
        self.requests: list[Received] = []
        self.delay = delay  # seconds each answer takes
        self.emails: dict[str, str] = {}  # for users.lookupByEmail: e-mail -> Slack user id
        self._scripted: dict[str, list[Answer]] = {}
        self._lock = threading.Lock()
        self._ts = 0
        self.server = _Server(("127.0.0.1", 0), self._handler(keep_alive))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, path: str, *answers: Answer) -> None:
        """Answer the next requests to `path` with these, in order, then as usual."""
        with self._lock:
            self._scripted.setdefault(path, []).extend(answers)

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; received {[r.path for r in self.requests]}")
            time.sleep(0.02)

    def _answer(self, request: Received) -> Answer:
        with self._lock:
            self.requests.append(request)
            scripted = self._scripted.get(request.path)
            if scripted:
                return scripted.pop(0)
            self._ts += 1
            ts = f"1700000000.{self._ts:06d}"
        if request.path.endswith("/chat.postMessage"):
            channel = str(request.body.get("channel"))
            return Answer(200, {"ok": True, "channel": f"C-{channel.lstrip('#')}", "ts": ts})
        if request.path.endswith("/chat.update"):
            return Answer(200, {"ok": True, "channel": request.body["channel"], "ts": ts})
        if request.path.endswith("/users.lookupByEmail"):
            user = self.emails.get(str(request.body.get("email")))
            if user is None:
                return Answer(200, {"ok": False, "error": "users_not_found"})
            return Answer(200, {"ok": True, "user": {"id": user}})
        return Answer(200, {"ok": True})

    def _handler(self, keep_alive: bool) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.1 keeps each connection open for the next request (keep-alive).
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def _handle(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                body: dict[str, Any] = dict(parse_qsl(parts.query))
                kind = self.headers.get("Content-Type", "")
                if raw and kind.startswith("application/json"):
                    body.update(json.loads(raw))
                elif raw:
                    body.update(parse_qsl(raw.decode()))
                request = Received(self.command, parts.path, dict(self.headers), raw, body)
                if receiver.delay:
                    time.sleep(receiver.delay)
                answer = receiver._answer(request)
                if answer.after:
                    time.sleep(answer.after)
                request.answer = answer.body
                payload = json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

            def log_message(self, *_: Any) -> None:
                pass

        return Handler
