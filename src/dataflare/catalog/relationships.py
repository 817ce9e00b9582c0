"""The relationships the catalog knows, as DataHub's graph names them: lineage (`DownstreamOf`,
`Consumes`, `Produces`, `Contains`; for ML assets `DerivedFrom`, `TrainedBy`, `UsedBy`) and
ownership (`OwnedBy`); between columns, `DownstreamOf`. Each query selects (urn, type) of the
entities related to one entity, in one direction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    and_,
    case,
    literal_column,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased

from dataflare.catalog.models import ASSET_OWNERS, ASSETS, LINEAGE_EDGES
from dataflare.core.urns import ACTOR_KINDS, ASSET_KINDS, entity_type_of

LINEAGE_TYPES = (
    "DownstreamOf",
    "Consumes",
    "Produces",
    "Contains",
    "DerivedFrom",
    "TrainedBy",
    "UsedBy",
)
OWNED_BY = "OwnedBy"
_STATED_BY_AN_END = or_(
    LINEAGE_EDGES.c.upstream_id == LINEAGE_EDGES.c.origin_id,
    LINEAGE_EDGES.c.downstream_id == LINEAGE_EDGES.c.origin_id,
)
INCOMING, OUTGOING = "INCOMING", "OUTGOING"


def constant(text: str) -> ColumnElement[str]:
    """A fixed name in SQL, typed as text on both databases (in a UNION, a bound parameter's
    type is not known to PostgreSQL)."""
    assert text.isalnum()
    return literal_column(f"'{text}'", String)


def _lineage_type(destination_kind: Any) -> Any:
    """What the edge's origin (the asset whose aspect stated it) is to its other end, in
    DataHub's words."""
    edges = LINEAGE_EDGES.c
    aspect = edges.origin_aspect
    ml_model = aspect.in_(["mlModelProperties", "mlModelGroupProperties"])
    stated_by_origin = edges.upstream_id == edges.origin_id
    return case(
        (and_(stated_by_origin, ml_model), constant("UsedBy")),
        (stated_by_origin, constant("Produces")),
        (aspect == "upstreamLineage", constant("DownstreamOf")),
        (
            and_(aspect == "dataJobInputOutput", destination_kind == "dataJob"),
            constant("DownstreamOf"),
        ),
        (and_(aspect == "dashboardInfo", destination_kind == "chart"), constant("Contains")),
        (aspect == "mlFeatureTableProperties", constant("Contains")),
        (aspect == "mlFeatureProperties", constant("DerivedFrom")),
        (and_(ml_model, destination_kind == "dataJob"), constant("TrainedBy")),
        else_=constant("Consumes"),
    )


def _lineage(asset_id: int, kind: str, direction: str) -> CompoundSelect[Any]:
    return union(_stated_lineage(asset_id, kind, direction), _column_lineage(asset_id, direction))


def _column_lineage(asset_id: int, direction: str) -> Select[Any]:
    """Column to column, stated by a third asset (the dataset or job whose fineGrainedLineages
    named them): the downstream column is `DownstreamOf` the upstream one."""
    edges = LINEAGE_EDGES.c
    other = aliased(ASSETS)
    if direction == OUTGOING:
        other_id, where = edges.upstream_id, edges.downstream_id == asset_id
    else:
        other_id, where = edges.downstream_id, edges.upstream_id == asset_id
    return (
        select(other.c.urn.label("urn"), constant("DownstreamOf").label("type"))
        .select_from(LINEAGE_EDGES.join(other, other.c.id == other_id))
        .where(where, ~_STATED_BY_AN_END)
    )


def _stated_lineage(asset_id: int, kind: str, direction: str) -> Select[Any]:
    """Edges one of whose ends stated them."""
    edges = LINEAGE_EDGES.c
    other = aliased(ASSETS)
    if direction == OUTGOING:  # from the asset that stated the edge to its other end
        other_id: Any = case(
            (edges.upstream_id == edges.origin_id, edges.downstream_id), else_=edges.upstream_id
        )
        kind_of_destination: Any = other.c.kind
        where = edges.origin_id == asset_id
    else:  # to the asset, from the one that stated the edge
        other_id = edges.origin_id
        kind_of_destination = constant(kind)
        where = and_(
            or_(edges.upstream_id == asset_id, edges.downstream_id == asset_id),
            edges.origin_id != asset_id,
        )
    relationship = _lineage_type(kind_of_destination).label("type")
    return (
        select(other.c.urn.label("urn"), relationship)
        .select_from(LINEAGE_EDGES.join(other, other.c.id == other_id))
        .where(where, _STATED_BY_AN_END)
    )


def related(session: Session, urn: str, direction: str, types: set[str]) -> list[Select[Any]]:
    """Queries of (urn, type) for the relationships of these types the catalog holds."""
    entity_type = entity_type_of(urn)
    parts: list[Select[Any]] = []
    if entity_type in ASSET_KINDS:
        asset = session.execute(
            select(ASSETS.c.id, ASSETS.c.kind).where(ASSETS.c.urn == urn)
        ).one_or_none()
        if asset is None:
            return []
        if types & set(LINEAGE_TYPES):
            lineage = _lineage(asset.id, asset.kind, direction).subquery()
            parts.append(select(lineage.c.urn, lineage.c.type).where(lineage.c.type.in_(types)))
        if OWNED_BY in types and direction == OUTGOING:
            owners = ASSET_OWNERS.c
            parts.append(
                select(owners.owner_urn.label("urn"), constant(OWNED_BY).label("type")).where(
                    owners.asset_id == asset.id
                )
            )
    elif entity_type in ACTOR_KINDS and OWNED_BY in types and direction == INCOMING:
        owners = ASSET_OWNERS.c
        parts.append(
            select(ASSETS.c.urn.label("urn"), constant(OWNED_BY).label("type"))
            .join(ASSET_OWNERS, owners.asset_id == ASSETS.c.id)
            .where(owners.owner_urn == urn)
        )
    return parts
