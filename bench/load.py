"""Load generator: a closed loop on N keep-alive HTTP/1.1 connections to 127.0.0.1.

Each connection sends the next request as soon as the previous response is complete. Callbacks
on asyncio protocols with httptools' C parser (both already installed with uvicorn[standard]),
so that the generator takes as little as possible of the CPU it shares with the server.

Run by bench/run.py and bench/catalog.py in a process of its own; prints one JSON object with
the results:
    BENCH_TOKEN=... python bench/load.py --port 9100 --scenario raiseIncident
    BENCH_TOKEN=... python bench/load.py --port 9100 --body-file query.json
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import math
import os
import socket
import time
from collections.abc import Callable, Coroutine
from typing import Any, cast

import httptools
from scenarios import SCENARIOS, constant, http_request_for_body, http_requests

HOST = "127.0.0.1"  # the only address this generator ever sends to
DRAIN_TIMEOUT_S = 10.0  # after the deadline, how long in-flight requests may still take
MAX_ERROR_SAMPLES = 3


class Run:
    """Shared state of one load run: when to measure, when to stop, what was seen."""

    def __init__(self, warmup_s: float, duration_s: float, max_requests: int) -> None:
        self.warmup_ns = int(warmup_s * 1e9)
        self.duration_ns = int(duration_s * 1e9)
        self.max_requests = max_requests
        self.measure_from = self.stop_at = self.last_done_ns = 0
        self.sent = 0
        self.answered = 0
        self.latencies_ns: list[int] = []
        self.response_bytes = 0
        self.errors = 0
        self.error_samples: list[str] = []

    def start(self) -> None:
        self.measure_from = time.perf_counter_ns() + self.warmup_ns
        self.stop_at = self.measure_from + self.duration_ns
        self.last_done_ns = self.measure_from

    def may_send(self, now: int) -> bool:
        return now < self.stop_at and self.sent < self.max_requests

    def record(self, started: int, done: int, status: int, body: bytes) -> None:
        # Any error counts, warm-up included; only requests sent after warm-up are timed.
        self.answered += 1
        if status != 200 or b'"errors"' in body:
            self.error(f"HTTP {status}: {body[:300].decode(errors='replace')}")
        if started >= self.measure_from:
            self.latencies_ns.append(done - started)
            self.last_done_ns = done
            self.response_bytes += len(body)

    def error(self, sample: str) -> None:
        self.errors += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES and sample not in self.error_samples:
            self.error_samples.append(sample)

    def summary(self, request_bytes: int) -> dict[str, Any]:
        latencies = sorted(self.latencies_ns)
        seconds = (self.last_done_ns - self.measure_from) / 1e9
        count = len(latencies)
        return {
            "requests": count,
            "answered": self.answered,  # warm-up included: what the CPU readings cover
            "seconds": round(seconds, 3),
            "rps": count / seconds if seconds > 0 else 0.0,
            "p50_ms": percentile_ms(latencies, 50),
            "p99_ms": percentile_ms(latencies, 99),
            "max_ms": percentile_ms(latencies, 100),
            "request_bytes": request_bytes,
            "response_bytes": self.response_bytes // count if count else 0,
            "errors": self.errors,
            "error_samples": self.error_samples,
        }


class Connection(asyncio.Protocol):
    def __init__(self, run: Run, request: Callable[[], bytes], done: asyncio.Future[None]) -> None:
        self.run = run
        self.request = request
        self.done = done
        self.parser = httptools.HttpResponseParser(self)
        self.body: list[bytes] = []
        self.started = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as ones.
        self.transport = cast(asyncio.Transport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:  # small requests must not wait for Nagle
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self) -> None:
        assert self.transport is not None
        self.run.sent += 1
        self.started = time.perf_counter_ns()
        self.transport.write(self.request())

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self.fail(f"bad HTTP response: {exc}")

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        now = time.perf_counter_ns()
        body = b"".join(self.body)
        self.body.clear()
        self.run.record(self.started, now, self.parser.get_status_code(), body)
        if self.run.may_send(now):
            self.send()
        elif not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(f"connection lost: {exc or 'closed by the server'}")

    def fail(self, sample: str) -> None:
        if self.done.done():
            return
        self.run.error(sample)
        self.done.set_result(None)
        if self.transport is not None:
            self.transport.close()


def percentile_ms(sorted_ns: list[int], p: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not sorted_ns:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_ns)))
    return sorted_ns[rank - 1] / 1e6


async def load(
    port: int,
    request: Callable[[], bytes],
    concurrency: int,
    warmup_s: float,
    duration_s: float,
    cap: int,
    drain_s: float = DRAIN_TIMEOUT_S,
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    run = Run(warmup_s, duration_s, cap)
    connections: list[Connection] = []
    for _ in range(concurrency):
        done: asyncio.Future[None] = loop.create_future()
        _, connection = await loop.create_connection(
            functools.partial(Connection, run, request, done), HOST, port
        )
        connections.append(connection)
    run.start()  # the clock starts once every connection is open
    for connection in connections:
        connection.send()
    try:
        # asyncio.wait, not wait_for: on time-out the stuck ones must be counted, not cancelled.
        _, stuck = await asyncio.wait(
            [connection.done for connection in connections],
            timeout=warmup_s + duration_s + drain_s,
        )
        for connection in connections:
            if connection.done in stuck:
                connection.fail("no response before the drain time-out")
    finally:
        for connection in connections:
            if connection.transport is not None:
                connection.transport.close()
    return run.summary(len(request()))


def main() -> None:
    parser = argparse.ArgumentParser(description="Closed-loop HTTP load on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--scenario", choices=sorted(SCENARIOS))
    what.add_argument("--body-file", help="a file holding the JSON body to POST instead")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds, not measured")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds, measured")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="hard cap")
    parser.add_argument(
        "--drain", type=float, default=DRAIN_TIMEOUT_S, help="seconds for the last answers"
    )
    args = parser.parse_args()
    token = os.environ.get("BENCH_TOKEN", "")
    if args.body_file:
        with open(args.body_file, "rb") as body:
            fixed = http_request_for_body(body.read(), args.port, token)
        request = constant(fixed)
    else:
        request = http_requests(args.scenario, args.port, token)
    coroutine = load(
        args.port,
        request,
        args.concurrency,
        args.warmup,
        args.duration,
        args.max_requests,
        args.drain,
    )
    print(json.dumps(run_loop(coroutine)))


def run_loop(coroutine: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    try:
        import uvloop  # the faster loop, when there: more requests/s for the same CPU
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


if __name__ == "__main__":
    main()
