"""`IncidentOn`, as DataHub's graph names the link from an incident to each of its assets.
Each query selects (urn, type) of the entities related to one entity, in one direction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from dataflare.catalog.models import ASSETS
from dataflare.catalog.relationships import INCOMING, OUTGOING, constant
from dataflare.core.urns import ASSET_KINDS, entity_type_of
from dataflare.incidents.models import INCIDENT_ASSETS, INCIDENTS

INCIDENT_ON = "IncidentOn"


def related(urn: str, direction: str, types: set[str]) -> list[Select[Any]]:
    if INCIDENT_ON not in types:
        return []
    links = INCIDENT_ASSETS.c
    joined = INCIDENT_ASSETS.join(INCIDENTS, INCIDENTS.c.id == links.incident_id).join(
        ASSETS, ASSETS.c.id == links.asset_id
    )
    entity_type = entity_type_of(urn)
    if entity_type == "incident" and direction == OUTGOING:
        column, where = ASSETS.c.urn, INCIDENTS.c.urn == urn
    elif entity_type in ASSET_KINDS and direction == INCOMING:
        column, where = INCIDENTS.c.urn, ASSETS.c.urn == urn
    else:
        return []
    return [
        select(column.label("urn"), constant(INCIDENT_ON).label("type"))
        .select_from(joined)
        .where(where)
    ]
