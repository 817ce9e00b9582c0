"""A webhook receiver for bench/delivery.py, run as a process of its own so that it does not
share the worker's interpreter: uvicorn (httptools, uvloop) with a bare ASGI app that answers
every POST with 204 and counts the events it got, by id. `GET /stats` answers
{"received": n, "distinct": m}.

    .venv/bin/python bench/receiver.py PORT
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

received = 0
ids: set[str] = set()


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    global received
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    if scope["method"] == "GET":
        body = json.dumps({"received": received, "distinct": len(ids)}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
        return
    received += 1
    for name, value in scope["headers"]:
        if name == b"x-dataflare-event":
            ids.add(value.decode())
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        access_log=False,
        http="httptools",
        loop="uvloop",
        lifespan="off",
    )
