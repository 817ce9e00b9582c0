"""The one rule for text and numbers that are stored, whatever the surface they came through:
no NUL characters (PostgreSQL refuses them; SQLite would keep them), no lone surrogates (not
valid Unicode: neither database can store them), lengths within the limits of core/limits.py,
times within a sane range."""

from __future__ import annotations

import json
import math
from typing import Any

from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_EPOCH_MS, MAX_JSON_DEPTH


def check_chars(value: str, field: str) -> str:
    """Refuse a NUL character or a lone surrogate, naming the field."""
    if "\x00" in value:
        raise InvalidInput(f"{field}: NUL characters (\\u0000) are not allowed in text.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{field}: the text holds a lone surrogate (such as \\ud800), which is not valid "
            "Unicode."
        ) from None
    return value


def check_text(value: str, field: str, max_chars: int) -> str:
    """Valid characters, and at most `max_chars` of them."""
    check_chars(value, field)
    if len(value) > max_chars:
        raise InvalidInput(f"{field} is {len(value)} characters long; the limit is {max_chars}.")
    return value


def check_bytes(value: str, field: str, max_bytes: int) -> str:
    """Valid characters, and at most `max_bytes` once encoded as UTF-8 (long texts)."""
    check_chars(value, field)
    size = len(value.encode("utf-8"))
    if size > max_bytes:
        raise InvalidInput(
            f"{field} is {size} bytes long; the limit is {max_bytes} bytes ({max_bytes // 1024} "
            "KiB)."
        )
    return value


def check_epoch_ms(value: int, field: str) -> int:
    if not 0 <= value <= MAX_EPOCH_MS:
        raise InvalidInput(
            f"{field} must be a time in epoch milliseconds, not {value}. Times run from 0 "
            f"(1970) to {MAX_EPOCH_MS} (the end of year 9999)."
        )
    return value


def check_tree(value: Any, where: str) -> None:
    """Every string (keys too) of parsed JSON, at most MAX_JSON_DEPTH deep. Walked without
    recursion, so no input can exhaust the stack."""
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            check_chars(item, path)
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise InvalidInput(f"{path}: nested deeper than {MAX_JSON_DEPTH} levels.")
            if isinstance(item, dict):
                for key, child in item.items():
                    check_chars(key, f"{path}: a key")
                    stack.append((child, f"{path}.{key}", depth + 1))
            else:
                stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))


def parse_json(raw: bytes | str, where: str) -> Any:
    """JSON from a request or a file, its strings checked (`check_tree`)."""
    value = load_json(raw, where)
    check_tree(value, where)
    return value


def load_json(raw: bytes | str, where: str) -> Any:
    """JSON from a request or a file. Any malformed input (not UTF-8, nested past the parser's
    stack, a number of thousands of digits or out of range) is an InvalidInput naming `where`,
    never an internal error."""
    try:
        value = json.loads(raw, parse_float=_finite, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise InvalidInput(f"{where} is not valid UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where} is not valid JSON ({exc}).") from None
    except RecursionError:
        raise InvalidInput(f"{where} is nested deeper than {MAX_JSON_DEPTH} levels.") from None
    except ValueError as exc:  # an integer of thousands of digits, or one of the below
        reason = str(exc) if isinstance(exc, _BadNumber) else "a number has too many digits"
        raise InvalidInput(f"{where} is not valid JSON ({reason}).") from None
    return value


class _BadNumber(ValueError):
    pass


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _BadNumber(f"the number {text[:20]} is out of range")
    return number


def _no_constant(name: str) -> Any:
    raise _BadNumber(f"{name} is not a JSON number")
