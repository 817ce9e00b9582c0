"""Loading a JSON file of proposals, as DataHub's file sink writes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dataflare.access.roles import Caller
from dataflare.core.errors import InvalidInput
from dataflare.core.text import parse_json
from dataflare.db.database import Database
from dataflare.ingest.apply import apply_all
from dataflare.ingest.proposals import Proposal, parse_items


@dataclass
class LoadSummary:
    proposals: int = 0
    changed: int = 0
    unchanged: int = 0  # all of it as the database had it already
    ignored: int = 0  # aspects Dataflare does not use


def read_file(path: Path) -> list[Proposal]:
    """Every proposal in the file, checked before anything is written."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInput(f"No such file: {path}") from exc
    except (IsADirectoryError, PermissionError) as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror}.") from exc
    items = parse_json(raw, str(path))
    if isinstance(items, dict):  # a single proposal
        items = [items]
    return parse_items(items, path.name)


def load(
    db: Database,
    caller: Caller,
    proposals: list[Proposal],
    progress: Callable[[int], None] = lambda _: None,
) -> LoadSummary:
    """Apply the proposals in one transaction: all of them or, on an error, none. Loading the
    same file again changes nothing."""
    summary = LoadSummary(proposals=len(proposals))
    with db.session(write=True) as session:
        for outcome in apply_all(session, caller, proposals, done=progress):
            setattr(summary, outcome, getattr(summary, outcome) + 1)  # names the count to add to
    return summary
