"""One request's reads of assertions, in batches (as loaders.py does for incidents): the
assertions an answer names, their runs, and the assertions on the assets it shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from dataflare.assertions import queries
from dataflare.assertions.queries import AssertionView, RunFilter, RunView
from dataflare.graphql.batch import Batch


class AssertionLoader:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._seen: dict[int, None] = {}  # assertions shown, by id
        self._assets: dict[int, None] = {}  # registered assets shown, by id
        self.by_urn: Batch[str, AssertionView | None] = Batch(self._by_urn, lambda: None)
        self._on_assets: dict[bool, Batch[int, list[AssertionView]]] = {}
        self._runs: dict[RunFilter, Batch[int, list[RunView]]] = {}

    def saw_assets(self, asset_ids: Iterable[int]) -> None:
        ids = list(asset_ids)
        self._assets.update(dict.fromkeys(ids))
        for batch in self._on_assets.values():
            batch.expect(ids)

    def saw_assertions(self, assertions: Iterable[AssertionView]) -> None:
        ids = [a.id for a in assertions if a.id is not None]
        self._seen.update(dict.fromkeys(ids))
        for batch in self._runs.values():
            batch.expect(ids)

    def view(self, urn: str) -> AssertionView:
        found = self.by_urn.get(urn)
        return found if found is not None else AssertionView.unknown(urn)

    def on_asset(self, asset_id: int, include_removed: bool = False) -> list[AssertionView]:
        if include_removed not in self._on_assets:
            batch: Batch[int, list[AssertionView]] = Batch(
                lambda ids: self._saw(queries.on_assets(self._connection(), ids, include_removed)),
                list,
            )
            batch.expect(self._assets)
            self._on_assets[include_removed] = batch
        return self._on_assets[include_removed].get(asset_id)

    def runs(self, assertion: AssertionView, wanted: RunFilter) -> list[RunView]:
        if assertion.id is None:
            return []
        if wanted not in self._runs:
            batch: Batch[int, list[RunView]] = Batch(
                lambda ids: queries.runs_of(self._connection(), ids, wanted), list
            )
            batch.expect(self._seen)
            self._runs[wanted] = batch
        return self._runs[wanted].get(assertion.id)

    def expect_urns(self, urns: Iterable[str]) -> None:
        self.by_urn.expect(urns)

    def _by_urn(self, urns: Sequence[str]) -> Mapping[str, AssertionView]:
        found = queries.by_urns(self._connection(), urns)
        self.saw_assertions(found.values())
        return found

    def _saw(self, found: Mapping[int, list[AssertionView]]) -> Mapping[int, list[AssertionView]]:
        self.saw_assertions(a for views in found.values() for a in views)
        return found

    def _connection(self) -> Connection:
        return self.session.connection()
