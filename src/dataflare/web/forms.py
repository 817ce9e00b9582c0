"""Reading a posted form: URL-encoded (what our pages and htmx send), at most MAX_BODY_BYTES, and
every name and value held to the stored-text rule, so a bad field is named in a 400 page."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from dataflare.core.bodies import read_body
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_BODY_BYTES
from dataflare.core.text import check_chars

Form = dict[str, list[str]]
URL_ENCODED = "application/x-www-form-urlencoded"


async def read_form(request: Request, limit: int = MAX_BODY_BYTES) -> Form:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type != URL_ENCODED:
        raise InvalidInput(f"Forms are sent as {URL_ENCODED}, not {content_type[:100]}.")
    raw = await read_body(request, limit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The form is not valid UTF-8.") from None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:  # a %-escape that is not UTF-8
        raise InvalidInput("The form is not valid UTF-8.") from None
    form: Form = {}
    for name, value in pairs:
        check_chars(name, "A form field's name")
        check_chars(value, f"The form field '{name[:100]}'")
        form.setdefault(name, []).append(value)
    return form
