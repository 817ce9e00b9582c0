"""Runs inside .venv-datahub: emits a small catalog with the DataHub SDK's REST emitter, then
reads it back through DataHubGraph.

Reads DATAFLARE_URL and DATAFLARE_TOKEN; prints one JSON object with what the SDK saw.
Kept free of Dataflare imports: it runs in the SDK's own environment.
"""

import json
import os

from datahub.emitter.mce_builder import make_dataset_urn, make_group_urn, make_user_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter
from datahub.ingestion.graph.client import DatahubClientConfig, DataHubGraph
from datahub.metadata.schema_classes import (
    DatasetLineageTypeClass,
    DatasetPropertiesClass,
    OwnerClass,
    OwnershipClass,
    OwnershipTypeClass,
    UpstreamClass,
    UpstreamLineageClass,
)

SERVER, TOKEN = os.environ["DATAFLARE_URL"], os.environ["DATAFLARE_TOKEN"]
EVENTS = make_dataset_urn("kafka", "orders_events")
ORDERS = make_dataset_urn("snowflake", "analytics.orders")
REVENUE = make_dataset_urn("snowflake", "analytics.revenue")
JDOE, TEAM = make_user_urn("jdoe"), make_group_urn("data-platform")

OWNERS = """query owners($urn: String!) {
  dataset(urn: $urn) {
    properties { name description }
    ownership { owners { type owner { ... on CorpUser { urn } ... on CorpGroup { urn } } } }
  }
}"""
LINEAGE = """query lineage($urn: String!) {
  dataset(urn: $urn) {
    lineage(input: {direction: UPSTREAM}) { total relationships { entity { urn } } }
  }
}"""
RAISE = "mutation raise($input: RaiseIncidentInput!) { raiseIncident(input: $input) }"
BROKEN_UPSTREAMS = """query broken($urn: String!) {
  searchAcrossLineage(input: {urn: $urn, direction: UPSTREAM, query: "*",
      orFilters: [{and: [{field: "hasActiveIncidents", values: ["true"]}]}]}) {
    total searchResults { degree entity { urn } }
  }
}"""
SEARCH_BROKEN = """{
  searchAcrossEntities(input: {query: "*",
      orFilters: [{and: [{field: "hasActiveIncidents", values: ["true"]}]}]}) {
    total searchResults { entity { urn } }
  }
}"""


def properties(urn: str, name: str) -> MetadataChangeProposalWrapper:
    return MetadataChangeProposalWrapper(
        entityUrn=urn, aspect=DatasetPropertiesClass(name=name, description=f"The {name}.")
    )


def upstream_of(urn: str, *sources: str) -> MetadataChangeProposalWrapper:
    return MetadataChangeProposalWrapper(
        entityUrn=urn,
        aspect=UpstreamLineageClass(
            upstreams=[UpstreamClass(s, DatasetLineageTypeClass.TRANSFORMED) for s in sources]
        ),
    )


seen: dict[str, object] = {}
emitter = DatahubRestEmitter(SERVER, token=TOKEN)
emitter.test_connection()
seen["openapi"] = emitter._openapi_ingestion  # False: the Rest.li endpoints
for name, urn in (("orders_events", EVENTS), ("orders", ORDERS), ("revenue", REVENUE)):
    emitter.emit_mcp(properties(urn, name))  # /aspects?action=ingestProposal
emitter.emit_mcps(  # /aspects?action=ingestProposalBatch
    [
        MetadataChangeProposalWrapper(
            entityUrn=ORDERS,
            aspect=OwnershipClass(
                owners=[
                    OwnerClass(JDOE, OwnershipTypeClass.TECHNICAL_OWNER),
                    OwnerClass(TEAM, OwnershipTypeClass.BUSINESS_OWNER),
                ]
            ),
        ),
        upstream_of(ORDERS, EVENTS),
        upstream_of(REVENUE, ORDERS),
    ]
)
emitter.close()

graph = DataHubGraph(DatahubClientConfig(server=SERVER, token=TOKEN))
graph.test_connection()
seen["orders"] = graph.execute_graphql(OWNERS, variables={"urn": ORDERS})["dataset"]
seen["lineage"] = graph.execute_graphql(LINEAGE, variables={"urn": REVENUE})["dataset"]["lineage"]
seen["incident"] = graph.execute_graphql(
    RAISE, variables={"input": {"type": "FRESHNESS", "resourceUrn": EVENTS, "title": "late"}}
)["raiseIncident"]
seen["broken_upstreams"] = graph.execute_graphql(BROKEN_UPSTREAMS, variables={"urn": REVENUE})[
    "searchAcrossLineage"
]
seen["broken"] = graph.execute_graphql(SEARCH_BROKEN)["searchAcrossEntities"]
print(json.dumps(seen))
