"""What the server answered to generated requests: counts, and the answers that are failures.

A failure is an answer the caller could not have caused: an HTTP 5xx, an error that is an
internal error (code 500, or "internal error (request id ...)"), or a body that is not a GraphQL
answer at all. Every other error is the server refusing bad input, as it should."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.fuzz.documents import Request


@dataclass(frozen=True)
class Failure:
    request: Request
    status: int
    reason: str

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.reason}\n{self.request}"


def failure_of(status: int, content: bytes) -> str | None:
    """Why this answer is a failure, or None when it is not."""
    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if status >= 500:
        return f"server error: {content[:300]!r}"
    if not isinstance(body, dict) or not ("data" in body or "errors" in body):
        return f"not a GraphQL answer: {content[:300]!r}"
    for error in body.get("errors") or []:
        if _code(error) == 500 or "internal error" in str(error.get("message", "")):
            return f"internal error: {json.dumps(error)}"
    return None


def _code(error: Any) -> object:
    extensions = error.get("extensions") if isinstance(error, dict) else None
    return extensions.get("code") if isinstance(extensions, dict) else None


@dataclass
class Tally:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)  # GraphQL errors by extensions.code
    answered_without_errors: int = 0
    failures: list[Failure] = field(default_factory=list)

    def record(self, request: Request, status: int, content: bytes) -> Failure | None:
        self.sent += 1
        self.statuses[status] += 1
        try:
            errors = json.loads(content).get("errors") or []
        except (ValueError, AttributeError):
            errors = []
        if not errors:
            self.answered_without_errors += 1
        for error in errors:
            self.codes[str(_code(error))] += 1
        reason = failure_of(status, content)
        if reason is None:
            return None
        failure = Failure(request, status, reason)
        self.failures.append(failure)
        return failure

    def summary(self) -> str:
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(self.codes.items()))
        return (
            f"{self.sent} sent; HTTP {statuses or '-'}; answered without errors "
            f"{self.answered_without_errors}; GraphQL errors by code {codes or '-'}; "
            f"failures {len(self.failures)}"
        )
