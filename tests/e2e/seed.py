"""The requests of the seed document (tests/e2e/seed/incidents.md), taken from its text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SEED = Path(__file__).parent / "seed" / "incidents.md"
SHARED_SEED = Path(__file__).parents[3] / "shared" / "seed" / "incidents.md"
EXAMPLE_HOST = "https://your-account.acryl.io"
EXAMPLE_TOKENS = ("your-personal-access-token", "your-access-token")

_BLOCK = re.compile(r"```\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class SeedRequest:
    section: str  # the seed's heading the request sits under
    form: str  # "graphql" (a _Request_ block), "curl" or "python"
    text: str  # the block as the seed shows it


def seed_requests() -> list[SeedRequest]:
    text = SEED.read_text()
    requests: list[SeedRequest] = []
    for match in _BLOCK.finditer(text):
        block = match.group(1)
        before = text[: match.start()]
        section = re.findall(r"^## (.+)$", before, re.MULTILINE)[-1]
        if before.rstrip().endswith("_Request_"):
            requests.append(SeedRequest(section, "graphql", block))
        elif block.startswith("curl "):
            requests.append(SeedRequest(section, "curl", block))
        elif "datahub_session.post" in block:
            requests.append(SeedRequest(section, "python", block))
    return requests


def localize(block: str, url: str, token: str) -> str:
    """The block with our server's address and a real token in place of the examples'."""
    for example in EXAMPLE_TOKENS:
        block = block.replace(example, token)
    return block.replace(EXAMPLE_HOST, url)
