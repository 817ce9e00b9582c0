"""The Entity interface, the OwnerType union and the Query fields that fetch entities."""

from __future__ import annotations

from typing import Any

from ariadne import InterfaceType, ObjectType, QueryType, UnionType

from dataflare.assertions.queries import AssertionView
from dataflare.catalog.queries import AssetView
from dataflare.catalog.service import view
from dataflare.core.errors import InvalidInput
from dataflare.core.urns import ASSET_KINDS, ActorRef, entity_type_of
from dataflare.graphql.asset_sdl import ASSET_TYPES, GRAPHQL_TYPE_OF_KIND
from dataflare.graphql.context import Info
from dataflare.graphql.resolvers.assertions import assertion_by_urn
from dataflare.incidents import queries
from dataflare.incidents.queries import IncidentView

query = QueryType()
entity_interface = InterfaceType("Entity")
owner_union = UnionType("OwnerType")
corp_user = ObjectType("CorpUser")
corp_group = ObjectType("CorpGroup")


@entity_interface.type_resolver
def resolve_entity_type(obj: Any, *_: Any) -> str:
    if isinstance(obj, AssetView):
        return GRAPHQL_TYPE_OF_KIND[obj.kind]
    if isinstance(obj, IncidentView):
        return "Incident"
    if isinstance(obj, AssertionView):
        return "Assertion"
    if isinstance(obj, ActorRef):
        return "CorpGroup" if obj.is_group else "CorpUser"
    raise TypeError(f"no GraphQL type for {type(obj).__name__}")


owner_union.type_resolver(resolve_entity_type)


@corp_user.field("type")
def resolve_user_type(*_: Any) -> str:
    return "CORP_USER"


@corp_user.field("username")
def resolve_username(actor: ActorRef, *_: Any) -> str:
    return actor.name


@corp_group.field("type")
def resolve_group_type(*_: Any) -> str:
    return "CORP_GROUP"


def _asset_query(kind: str) -> Any:
    def resolve(_: Any, info: Info, urn: str) -> AssetView:
        if entity_type_of(urn) != kind:
            raise InvalidInput(
                f"'{urn}' is not a {kind} URN: {kind}(urn:) expects urn:li:{kind}:..."
            )
        return view(info.context.session, urn, kind)

    return resolve


for _asset in ASSET_TYPES:
    if _asset.fetch:  # a column is read with entity(urn:), as in DataHub
        query.set_field(_asset.kind, _asset_query(_asset.kind))


@query.field("entity")
def resolve_entity(_: Any, info: Info, urn: str) -> Any:
    kind = entity_type_of(urn)
    if kind in ASSET_KINDS:
        return view(info.context.session, urn, kind)
    if kind == "incident":
        incident = queries.by_urn(info.context.session.connection(), urn)
        info.context.loader.saw_incidents([incident] if incident else [])
        return incident
    if kind in ("corpuser", "corpGroup"):
        return ActorRef(urn)
    if kind == "assertion":
        return assertion_by_urn(info, urn)
    raise InvalidInput(
        f"Unsupported URN '{urn}': entity(urn:) knows datasets, charts, dashboards, dataFlows, "
        "dataJobs, mlModels, mlModelGroups, mlFeatures, mlFeatureTables, schemaFields (columns), "
        "incidents, assertions, users and groups."
    )
