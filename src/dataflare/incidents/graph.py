"""Every relationship Dataflare knows of one entity, as DataHub's graph names them: the
catalog's (lineage, ownership) and the incidents' (`IncidentOn`). GMS's `/relationships` and
GraphQL's `relationships` field read the same page."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session

from dataflare.catalog import relationships as catalog_relationships
from dataflare.db.paging import page_of_union
from dataflare.incidents import relationships as incident_relationships

KNOWN_TYPES = (
    *catalog_relationships.LINEAGE_TYPES,
    catalog_relationships.OWNED_BY,
    incident_relationships.INCIDENT_ON,
)


def related_page(
    session: Session, urn: str, direction: str, types: Collection[str], start: int, count: int
) -> tuple[int, list[tuple[Any, ...]]]:
    """(how many related entities in all, (urn, relationship type) of those from `start`)."""
    wanted = set(types)
    parts = [
        *catalog_relationships.related(session, urn, direction, wanted),
        *incident_relationships.related(urn, direction, wanted),
    ]
    return page_of_union(session, parts, start, count)
