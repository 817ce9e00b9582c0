"""Per-request loaders: what the resolvers show of assets, incidents and people, read in
batches, one statement per kind, rather than one object at a time.

graphql-core runs a synchronous document depth first: the first result of a list is resolved
to its leaves before the second is looked at, so keys cannot be gathered as resolvers ask for
them. Instead, a field that returns a list (a search page, lineage, a page of incidents, an
incident's assets) tells the loader what it holds (`saw_assets`, `saw_incidents`). When a
resolver first asks for something of one of them (its health, its owners, its timeline), that
kind is read for all of them in one statement (per chunk of keys) and kept for the request.
Only the kinds the document asks for are read, and each at most once per key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from dataflare.access.models import User
from dataflare.access.users import users_by_name
from dataflare.assertions.health import NO_SIGNAL, AssetHealth, health_by_urn
from dataflare.catalog import stored_aspects
from dataflare.catalog.models import Actor, AssetOwner
from dataflare.catalog.queries import AssetView, owners_of_assets
from dataflare.catalog.service import actors_by_urn
from dataflare.catalog.tags import kept_tags
from dataflare.core.urns import entity_type_of
from dataflare.graphql.assertion_loaders import AssertionLoader
from dataflare.graphql.batch import Batch
from dataflare.incidents import activity, batches
from dataflare.incidents.models import IncidentActivity
from dataflare.incidents.queries import IncidentFilter, IncidentPage, IncidentView, summary_total

P = TypeVar("P", Mapping[int, list[IncidentView]], Mapping[int, IncidentPage])


# A page of incidents asked of many assets: (state, start, count).
PageKey = tuple[str | None, int, int]
# The same with more filters: (state, stage, priority, assignees, start, count).
FilteredKey = tuple[str | None, str | None, str | None, tuple[str, ...], int, int]


class Loader:
    """One request's batches, on its session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._assets: dict[int, None] = {}  # the registered assets seen, by id
        self.health: Batch[str, AssetHealth] = Batch(self._health, lambda: NO_SIGNAL)
        self.owners: Batch[int, list[AssetOwner]] = Batch(self._owners, list)
        self.actors: Batch[str, Actor | None] = Batch(self._actors, lambda: None)
        self.users: Batch[str, User | None] = Batch(self._users, lambda: None)
        self.assignees: Batch[int, list[str]] = Batch(self._assignees, list)
        self.incident_assets: Batch[int, list[AssetView]] = Batch(self._incident_assets, list)
        self.activity: Batch[int, list[IncidentActivity]] = Batch(self._activity, list)
        self._pages: dict[PageKey, Batch[int, list[IncidentView]]] = {}
        self._counts: dict[str, Batch[int, int]] = {}
        self._filtered_pages: dict[FilteredKey, Batch[int, IncidentPage]] = {}
        self.sources: Batch[int, str | None] = Batch(self._sources, lambda: None)
        self.incident_tags: Batch[str, list[str] | None] = Batch(self._tags, lambda: None)
        self.assertions = AssertionLoader(session)

    def saw_assets(self, assets: Iterable[AssetView]) -> None:
        """These assets are about to be shown: what is asked of one is read for all."""
        shown = list(assets)
        self.health.expect(a.urn for a in shown)
        registered = [a.id for a in shown if a.id is not None]
        self.owners.expect(registered)
        self._assets.update(dict.fromkeys(registered))
        self.assertions.saw_assets(registered)
        for page in self._pages.values():
            page.expect(registered)
        for count in self._counts.values():
            count.expect(registered)
        for filtered in self._filtered_pages.values():
            filtered.expect(registered)

    def saw_incidents(self, incidents: Iterable[IncidentView]) -> None:
        incidents = list(incidents)
        ids = [i.id for i in incidents]
        self.assignees.expect(ids)
        self.incident_assets.expect(ids)
        self.activity.expect(ids)
        self.sources.expect(ids)
        self.incident_tags.expect(i.urn for i in incidents)

    def incidents(
        self, asset: AssetView, filters: IncidentFilter, start: int, count: int
    ) -> IncidentPage:
        """A page of the asset's incidents and how many match, read with the same page of every
        asset seen. Filtered on a state alone (or nothing): the page from the links (none for a
        page of 0), the total from the asset's summary or counted; on more: see
        batches.filtered_pages_on_assets."""
        if asset.id is None:
            return IncidentPage(start, count, 0, [])
        if not filters.usual:
            return self._filtered(asset.id, filters, start, count)
        state = filters.state
        incidents = self._page(asset.id, state, start, count) if count else []
        total = summary_total(asset, state)
        if total is None and state is not None:
            total = self._count(asset.id, state)
        return IncidentPage(start, count, total or 0, incidents)

    def _page(self, asset_id: int, state: str | None, start: int, count: int) -> list[IncidentView]:
        key = (state, start, count)
        if key not in self._pages:
            self._pages[key] = Batch(
                lambda ids: self._saw_pages(batches.pages_on_assets(self._connection(), ids, *key)),
                list,
                chunk=batches.PAGES_PER_STATEMENT,
            )
            self._pages[key].expect(self._assets)
        return self._pages[key].get(asset_id)

    def _filtered(
        self, asset_id: int, filters: IncidentFilter, start: int, count: int
    ) -> IncidentPage:
        assignees = tuple(filters.assignee_urns)
        key = (filters.state, filters.stage, filters.priority, assignees, start, count)
        if key not in self._filtered_pages:
            self._filtered_pages[key] = Batch(
                lambda ids: self._saw_pages(
                    batches.filtered_pages_on_assets(self._connection(), ids, filters, start, count)
                ),
                lambda: IncidentPage(start, count, 0, []),
                chunk=batches.PAGES_PER_STATEMENT,
            )
            self._filtered_pages[key].expect(self._assets)
        return self._filtered_pages[key].get(asset_id)

    def _count(self, asset_id: int, state: str) -> int:
        if state not in self._counts:
            self._counts[state] = Batch(
                lambda ids: batches.counts_on_assets(self._connection(), ids, state), int
            )
            self._counts[state].expect(self._assets)
        return self._counts[state].get(asset_id)

    def _saw_pages(self, pages: P) -> P:
        """Pages of incidents just read, of many assets: what is asked of one incident is
        read for the incidents of every page."""
        for page in pages.values():
            self.saw_incidents(page.incidents if isinstance(page, IncidentPage) else page)
        return pages

    def _connection(self) -> Connection:
        return self.session.connection()

    def _health(self, urns: Sequence[str]) -> Mapping[str, AssetHealth]:
        return health_by_urn(self.session, urns)

    def _owners(self, asset_ids: Sequence[int]) -> Mapping[int, list[AssetOwner]]:
        found = owners_of_assets(self.session, asset_ids)
        self._saw_people(o.owner_urn for owners in found.values() for o in owners)
        return found

    def _actors(self, urns: Sequence[str]) -> Mapping[str, Actor]:
        return actors_by_urn(self.session, urns)

    def _users(self, names: Sequence[str]) -> Mapping[str, User]:
        return users_by_name(self.session, names)

    def _assignees(self, incident_ids: Sequence[int]) -> Mapping[int, list[str]]:
        found = batches.assignees(self._connection(), incident_ids)
        self._saw_people(urn for urns in found.values() for urn in urns)
        return found

    def _incident_assets(self, incident_ids: Sequence[int]) -> Mapping[int, list[AssetView]]:
        found = batches.assets(self._connection(), incident_ids)
        self.saw_assets(asset for assets in found.values() for asset in assets)
        return found

    def _sources(self, incident_ids: Sequence[int]) -> Mapping[int, str]:
        found = batches.sources(self._connection(), incident_ids)
        self.assertions.expect_urns(found.values())
        return found

    def _tags(self, urns: Sequence[str]) -> Mapping[str, list[str]]:
        kept = stored_aspects.kept_of_many(self.session, urns, "globalTags")
        return {urn: kept_tags(value) for urn, value in kept.items()}

    def _activity(self, incident_ids: Sequence[int]) -> Mapping[int, list[IncidentActivity]]:
        return activity.timelines(self.session, incident_ids)

    def _saw_people(self, urns: Iterable[str]) -> None:
        people = list(urns)
        self.actors.expect(people)
        self.users.expect(u.split(":", 3)[3] for u in people if entity_type_of(u) == "corpuser")
