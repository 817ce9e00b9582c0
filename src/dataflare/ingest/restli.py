"""Query strings as Rest.li clients write them: `aspects=List(a,b)`, and a list's elements
percent-encoded within it (`ids=List(urn%3Ali%3A...%2C...)`), so the raw text is split before
it is decoded."""

from __future__ import annotations

from urllib.parse import unquote, unquote_plus

from dataflare.core.errors import InvalidInput


def parse_query(raw: bytes) -> dict[str, list[str]]:
    """Each parameter's values, still encoded (a parameter may repeat)."""
    found: dict[str, list[str]] = {}
    for pair in raw.decode("latin-1").split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        found.setdefault(unquote_plus(name), []).append(value)
    return found


def values(query: dict[str, list[str]], name: str) -> list[str] | None:
    """A list parameter's elements, decoded: `List(a,b)`, or the parameter repeated (or
    comma-separated, as Spring reads it); None when absent."""
    given = query.get(name)
    if given is None:
        return None
    found: list[str] = []
    for raw in given:
        opened = next((o for o in ("List(", "List%28") if raw.startswith(o)), "")
        if opened:
            closed = next((c for c in (")", "%29") if raw.endswith(c)), "")
            if not closed:
                raise InvalidInput(f"{name}: a Rest.li list must end with ')'.")
            inner = raw[len(opened) : -len(closed)]
            found.extend(unquote(part) for part in inner.split(",") if part)
        else:
            found.extend(part for part in unquote_plus(raw).split(",") if part)
    return found


def one(query: dict[str, list[str]], name: str) -> str | None:
    """A plain parameter's value, decoded; None when absent."""
    given = query.get(name)
    if not given:
        return None
    if len(given) > 1:
        raise InvalidInput(f"{name}: give it once.")
    return unquote_plus(given[0])


def number(query: dict[str, list[str]], name: str, default: int, largest: int) -> int:
    text = one(query, name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise InvalidInput(f"{name}: a whole number is required, not {text!r}.") from None
    if value < 0:
        raise InvalidInput(f"{name}: must be 0 or more, not {value}.")
    return min(value, largest)
