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


def replacing(session: Session, new_owners: Mapping[int, Collection[str]]) -> None:
    """These assets' owners are about to become the ones given."""
    if new_owners:
        for listener in _listeners:
            listener(session, new_owners)
