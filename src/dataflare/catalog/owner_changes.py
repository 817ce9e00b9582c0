"""Who must know before assets' owners are replaced. The incident figures count each incident
under the owners of its assets (incidents/rollups.py), so they move their counts first; they
listen here, so that the catalog, which lies below the incidents, need not know them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from sqlalchemy.orm import Session

# (session, {asset id: the owners it is about to have}); called while the old owners are still
# in the database.
Listener = Callable[[Session, Mapping[int, Collection[str]]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def listeners() -> tuple[Listener, ...]:
    return tuple(_listeners)


def replacing(session: Session, new_owners: Mapping[int, Collection[str]]) -> None:
    """These assets' owners are about to become the ones given. With no listener, the process
    changing them never imported the incidents (whose rollups listen when imported): its
    change would leave the figures wrong, so it is refused, loudly, as the bug it is."""
    if not new_owners:
        return
    if not _listeners:
        raise RuntimeError(
            "Owners are being replaced in a process where nothing listens for it: import "
            "dataflare.incidents.rollups, whose figures count incidents under their owners."
        )
    for listener in _listeners:
        listener(session, new_owners)
