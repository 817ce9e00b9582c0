"""Which calls the SDK sends again after a network failure, against a real HTTP receiver that
drops its first connections without answering."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dataflare.client import DataflareClient, ServerUnreachable

ASSET = "urn:li:dataset:(urn:li:dataPlatform:hive,retries,PROD)"
ANSWERS: dict[str, Any] = {
    "raise": {"raiseIncident": "urn:li:incident:answered"},
    "updateStatus": {"updateIncidentStatus": "true"},
    "health": {"entity": {"health": []}},
}


class Receiver(ThreadingHTTPServer):
    """Drops the first `drops` requests (closes the connection unanswered), answers the rest."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.drops = 0
        self.delay = 0.0
        self.requests: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        if self.server.drops > 0:
            self.server.drops -= 1
            self.close_connection = True
            return
        time.sleep(self.server.delay)
        operation = body["query"].split("(")[0].split()[-1]
        answer = json.dumps({"data": ANSWERS[operation]}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a client that timed out has gone, as the slow-server test means it to

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def client(receiver: Receiver) -> Iterator[DataflareClient]:
    with DataflareClient(receiver.url, "t", retries=2, backoff=0) as made:
        yield made


def test_reads_are_sent_again_after_dropped_connections(
    receiver: Receiver, client: DataflareClient
) -> None:
    receiver.drops = 2

    assert client.health(ASSET).healthy
    assert len(receiver.requests) == 3


def test_a_raise_with_a_dedup_key_is_sent_again(
    receiver: Receiver, client: DataflareClient
) -> None:
    receiver.drops = 1

    assert client.raise_incident(ASSET, "SQL", dedup_key="k") == "urn:li:incident:answered"
    assert len(receiver.requests) == 2
    assert receiver.requests[0] == receiver.requests[1]


def test_a_raise_without_a_key_and_a_status_change_are_sent_once(
    receiver: Receiver, client: DataflareClient
) -> None:
    receiver.drops = 2

    with pytest.raises(ServerUnreachable, match="Cannot reach Dataflare at"):
        client.raise_incident(ASSET, "SQL")
    with pytest.raises(ServerUnreachable):
        client.resolve("urn:li:incident:answered")

    assert len(receiver.requests) == 2


def test_retries_end_and_say_why(receiver: Receiver, client: DataflareClient) -> None:
    receiver.drops = 10

    with pytest.raises(ServerUnreachable) as failed:
        client.health(ASSET)

    assert len(receiver.requests) == 3
    assert failed.value.message.startswith(f"Cannot reach Dataflare at {receiver.url}: ")


def test_a_slow_server_times_out_with_a_clear_message(receiver: Receiver) -> None:
    receiver.delay = 1.0

    with (
        DataflareClient(receiver.url, "t", timeout=0.2, retries=0) as slow,
        pytest.raises(ServerUnreachable) as failed,
    ):
        slow.health(ASSET)

    assert (
        failed.value.message == f"Cannot reach Dataflare at {receiver.url}: no answer within 0.2s."
    )
