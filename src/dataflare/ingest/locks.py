"""A batch locks, before applying anything, the rows its proposals may change that other writers
lock too: first the assertions it names, then the incidents it names (and those its assertions'
runs may resolve: active under their dedup keys), then the assets (its own, those its incidents
name or are on, those its assertions check), each in id order, as raising and updating
incidents take them. Taken one by one as the proposals come, they could be taken in another
order and deadlock with those writers. (On PostgreSQL; SQLite has one writer at a time.)"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dataflare.assertions.service import asset_named, lock_assertions
from dataflare.catalog.models import Asset
from dataflare.core.urns import ASSET_KINDS
from dataflare.db.chunks import among
from dataflare.incidents import summary
from dataflare.incidents.models import Incident, IncidentAsset
from dataflare.ingest.proposals import Proposal

CHUNK = 1000  # values per IN (...): PostgreSQL takes at most 65,535 parameters a statement


def lock_rows(session: Session, proposals: Sequence[Proposal]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return
    asset_urns = {p.entity_urn for p in proposals if p.entity_type in ASSET_KINDS}
    incident_urns = set()
    assertion_urns = {p.entity_urn for p in proposals if p.entity_type == "assertion"}
    assertions = lock_assertions(session, assertion_urns)
    for p in proposals:
        checked = asset_named(p.aspect_name, p.aspect) if p.entity_type == "assertion" else None
        if checked is not None:
            asset_urns.add(checked)
        if p.entity_type == "incident":
            incident_urns.add(p.entity_urn)
            entities = p.aspect.get("entities")
            if isinstance(entities, list):
                asset_urns.update(e for e in entities if isinstance(e, str))
    incident_ids = sorted(
        _found(session, select(Incident.id), Incident.urn, incident_urns)
        | _found(
            session,
            select(IncidentAsset.incident_id).where(IncidentAsset.state == "ACTIVE"),
            IncidentAsset.dedup_key,
            {f"assertion:{assertion_id}" for assertion_id, _ in assertions},
        )
    )
    for chunk in _chunks(incident_ids):
        session.execute(
            select(Incident.id)
            .where(among(Incident.id, chunk, dialect))
            .order_by(Incident.id)
            .with_for_update()
        ).all()
    asset_ids = _found(session, select(Asset.id), Asset.urn, asset_urns)
    asset_ids |= {asset_id for _, asset_id in assertions if asset_id is not None}
    asset_ids |= _found(
        session, select(IncidentAsset.asset_id), IncidentAsset.incident_id, incident_ids
    )
    for chunk in _chunks(sorted(asset_ids)):
        summary.lock(session, chunk)


def _found(session: Session, query: Select[Any], column: Any, values: Any) -> set[int]:
    dialect = session.get_bind().dialect.name
    return {
        found
        for chunk in _chunks(sorted(values))
        for found in session.scalars(query.where(among(column, chunk, dialect)))
    }


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]
