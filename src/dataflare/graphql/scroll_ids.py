"""scrollAcrossEntities's scrollId: where the next page starts, as opaque text."""

from __future__ import annotations

import base64
import binascii
import json

from dataflare.core.errors import InvalidInput

VERSION = 1
MAX_START = 1_000_000_000


def make(start: int) -> str:
    text = json.dumps({"v": VERSION, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def start_of(scroll_id: str | None) -> int:
    """The offset a scrollId asks for; 0 for none (the first page)."""
    if not scroll_id:
        return 0
    bad = InvalidInput(
        "scrollId: not one this server gave; send the nextScrollId of the previous page, or "
        "none for the first page."
    )
    if len(scroll_id) > 200:
        raise bad
    try:
        padded = scroll_id + "=" * (-len(scroll_id) % 4)
        given = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise bad from None
    if not isinstance(given, dict) or given.get("v") != VERSION:
        raise bad
    start = given.get("start")
    if not isinstance(start, int) or isinstance(start, bool):
        raise bad
    if not 0 <= start <= MAX_START:
        raise bad
    return start
