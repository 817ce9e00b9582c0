"""Runs inside .venv-datahub: emits a small catalog and an incident, then reads them back the
way DataHub users do: DataHubGraph's exists, get_aspect, get_aspects_for_entity,
get_entity_raw, get_entity_semityped, get_related_entities and get_urns_by_filter, and the
`datahub get` command; the same through a server URL ending in /api/gms.

Reads DATAFLARE_URL and DATAFLARE_TOKEN; prints one JSON object with what the SDK saw.
Kept free of Dataflare imports: it runs in the SDK's own environment.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from datahub.emitter.mce_builder import make_dataset_urn, make_schema_field_urn, make_user_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.graph.client import DatahubClientConfig, DataHubGraph
from datahub.ingestion.graph.filters import RemovedStatusFilter
from datahub.ingestion.graph.openapi import RelationshipDirection
from datahub.metadata.schema_classes import (
    CorpUserInfoClass,
    DatasetLineageTypeClass,
    DatasetPropertiesClass,
    FineGrainedLineageClass,
    FineGrainedLineageDownstreamTypeClass,
    FineGrainedLineageUpstreamTypeClass,
    OwnerClass,
    OwnershipClass,
    OwnershipTypeClass,
    SchemaMetadataClass,
    StatusClass,
    UpstreamClass,
    UpstreamLineageClass,
)

SERVER, TOKEN = os.environ["DATAFLARE_URL"], os.environ["DATAFLARE_TOKEN"]
EVENTS = make_dataset_urn("kafka", "orders_events")
ORDERS = make_dataset_urn("snowflake", "analytics.orders")
REVENUE = make_dataset_urn("snowflake", "analytics.revenue")
GONE = make_dataset_urn("snowflake", "analytics.gone")
NEVER = make_dataset_urn("snowflake", "never.sent")
JDOE = make_user_urn("jdoe")
AMOUNT = make_schema_field_urn(ORDERS, "amount")  # feeds revenue.total
TOTAL = make_schema_field_urn(REVENUE, "total")
RAISE = "mutation raise($input: RaiseIncidentInput!) { raiseIncident(input: $input) }"


def names(aspects: dict) -> list:
    return sorted(aspects)


def emit(graph: DataHubGraph) -> str:
    for urn in (EVENTS, ORDERS, REVENUE, GONE):
        name = urn.split(",")[1]
        graph.emit(
            MetadataChangeProposalWrapper(
                entityUrn=urn, aspect=DatasetPropertiesClass(name=name, description=f"The {name}.")
            )
        )
    owners = [OwnerClass(owner=JDOE, type=OwnershipTypeClass.TECHNICAL_OWNER)]
    graph.emit(MetadataChangeProposalWrapper(entityUrn=ORDERS, aspect=OwnershipClass(owners)))
    column = FineGrainedLineageClass(
        upstreamType=FineGrainedLineageUpstreamTypeClass.FIELD_SET,
        upstreams=[AMOUNT],
        downstreamType=FineGrainedLineageDownstreamTypeClass.FIELD,
        downstreams=[TOTAL],
    )
    for down, up, columns in ((ORDERS, EVENTS, None), (REVENUE, ORDERS, [column])):
        upstreams = [UpstreamClass(up, DatasetLineageTypeClass.TRANSFORMED)]
        lineage = UpstreamLineageClass(upstreams, fineGrainedLineages=columns)
        graph.emit(MetadataChangeProposalWrapper(entityUrn=down, aspect=lineage))
    graph.emit(MetadataChangeProposalWrapper(entityUrn=GONE, aspect=StatusClass(removed=True)))
    user = CorpUserInfoClass(active=True, displayName="Jane Doe", email="jdoe@example.com")
    graph.emit(MetadataChangeProposalWrapper(entityUrn=JDOE, aspect=user))
    given = {"type": "FRESHNESS", "title": "late", "resourceUrn": ORDERS, "priority": "HIGH"}
    return graph.execute_graphql(RAISE, variables={"input": given})["raiseIncident"]


def datahub(server: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "datahub"), *args],
        env={**os.environ, "DATAHUB_GMS_URL": server, "DATAHUB_GMS_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=120,
    )


def datahub_get(server: str, *args: str) -> dict:
    done = datahub(server, "get", *args)
    out = json.loads(done.stdout) if done.returncode == 0 else None
    return {"code": done.returncode, "out": out, "err": done.stderr.strip().splitlines()[-1:]}


def read(graph: DataHubGraph, incident: str) -> dict:
    seen: dict = {}
    seen["exists"] = {u: graph.exists(u) for u in (ORDERS, GONE, NEVER, JDOE, incident)}
    ownership = graph.get_aspect(ORDERS, OwnershipClass)
    seen["owners"] = [(o.owner, o.type) for o in ownership.owners] if ownership else None
    properties = graph.get_aspect(ORDERS, DatasetPropertiesClass)
    seen["properties"] = properties.to_obj() if properties else None
    seen["no_schema"] = graph.get_aspect(ORDERS, SchemaMetadataClass)
    seen["never"] = graph.get_aspect(NEVER, DatasetPropertiesClass)
    both = graph.get_aspects_for_entity(
        ORDERS, ["ownership", "schemaMetadata"], [OwnershipClass, SchemaMetadataClass]
    )
    seen["aspects_for_entity"] = {k: v is not None for k, v in both.items()}
    raw = graph.get_entity_raw(ORDERS)
    seen["raw"] = {"urn": raw["urn"], "aspects": names(raw["aspects"])}
    seen["raw_projected"] = names(graph.get_entity_raw(ORDERS, ["upstreamLineage"])["aspects"])
    seen["semityped"] = names(graph.get_entity_semityped(ORDERS))
    seen["semityped_never"] = names(graph.get_entity_semityped(NEVER))
    info = graph.get_entity_semityped(incident)["incidentInfo"]
    seen["incident"] = {
        "entities": info.entities,
        "state": info.status.state,
        "priority": info.priority,
        "title": info.title,
    }

    def related(urn: str, types: list, direction: RelationshipDirection) -> list:
        found = graph.get_related_entities(urn, types, direction)
        return sorted((r.urn, r.relationship_type) for r in found)

    seen["upstreams"] = related(ORDERS, ["DownstreamOf"], RelationshipDirection.OUTGOING)
    seen["downstreams"] = related(ORDERS, ["DownstreamOf"], RelationshipDirection.INCOMING)
    seen["owned"] = related(JDOE, ["OwnedBy"], RelationshipDirection.INCOMING)
    seen["on_orders"] = related(ORDERS, ["IncidentOn", "OwnedBy"], RelationshipDirection.INCOMING)
    seen["incident_on"] = related(incident, ["IncidentOn"], RelationshipDirection.OUTGOING)
    seen["column_upstreams"] = related(TOTAL, ["DownstreamOf"], RelationshipDirection.OUTGOING)
    seen["column_downstreams"] = related(AMOUNT, ["DownstreamOf"], RelationshipDirection.INCOMING)
    seen["columns"] = sorted(graph.get_urns_by_filter(entity_types=["schemaField"]))
    seen["urns"] = sorted(graph.get_urns_by_filter(entity_types=["dataset"], batch_size=1))
    seen["snowflake"] = sorted(graph.get_urns_by_filter(platform="snowflake", batch_size=2))
    every = RemovedStatusFilter.ALL
    seen["with_removed"] = sorted(graph.get_urns_by_filter(status=every, batch_size=3))
    removed = RemovedStatusFilter.ONLY_SOFT_DELETED
    seen["only_removed"] = sorted(graph.get_urns_by_filter(status=removed))
    seen["incidents"] = list(graph.get_urns_by_filter(entity_types=["incident"]))
    return seen


def main() -> None:
    graph = DataHubGraph(DatahubClientConfig(server=SERVER, token=TOKEN))
    graph.test_connection()
    incident = emit(graph)
    behind = DataHubGraph(DatahubClientConfig(server=f"{SERVER}/api/gms", token=TOKEN))
    behind.test_connection()
    seen = {
        "incident_urn": incident,
        "direct": read(graph, incident),
        "behind_frontend": read(behind, incident),
        "get": datahub_get(SERVER, "--urn", ORDERS),
        "get_aspect": datahub_get(f"{SERVER}/api/gms", "--urn", ORDERS, "-a", "ownership"),
        "get_never": datahub_get(SERVER, "--urn", NEVER),
    }
    deleted = datahub(SERVER, "delete", "--urn", incident, "--hard", "--force")
    found = graph.get_related_entities(ORDERS, ["IncidentOn"], RelationshipDirection.INCOMING)
    seen["hard_delete"] = {
        "code": deleted.returncode,
        "exists": graph.exists(incident),
        "on_orders": [r.urn for r in found],
    }
    print(json.dumps(seen))


main()
