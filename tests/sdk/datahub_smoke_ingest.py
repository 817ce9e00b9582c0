"""Runs inside .venv-datahub: feeds a Dataflare server the way DataHub's smoke tests feed GMS, a
file of metadata (a dataset snapshot, an incident as `incidentInfo`, its assertion) through an
ingestion pipeline with the `datahub-rest` sink, once in each sink mode: SYNC sends the snapshot
to /entities?action=ingest, ASYNC_BATCH unpacks it into proposals sent in batches.

Reads DATAFLARE_URL and DATAFLARE_TOKEN; prints one JSON object: per mode, the dataset's owners
and active incidents as GraphQL lists them. Kept free of Dataflare imports.
"""

import json
import os
import tempfile

from datahub.ingestion.graph.client import DatahubClientConfig, DataHubGraph
from datahub.ingestion.run.pipeline import Pipeline

URL, TOKEN = os.environ["DATAFLARE_URL"], os.environ["DATAFLARE_TOKEN"]
LIST = """query dataset($urn: String!) {
  dataset(urn: $urn) {
    ownership { owners { owner { ... on CorpUser { urn } } } }
    incidents(state: ACTIVE, start: 0, count: 10) {
      total
      incidents {
        urn
        source { type source { ... on Assertion { urn info { type } } } }
        created { time actor }
      }
    }
  }
}"""


def fixture(mode: str) -> list[dict[str, object]]:
    dataset = f"urn:li:dataset:(urn:li:dataPlatform:kafka,smoke-{mode.lower()},PROD)"
    assertion = f"urn:li:assertion:smoke-{mode.lower()}"
    stamp = {"time": 0, "actor": "urn:li:corpuser:admin"}
    incident = {
        "type": "OPERATIONAL",
        "title": f"raised by {assertion}",
        "entities": [dataset],
        "status": {"state": "ACTIVE", "lastUpdated": stamp},
        "source": {"type": "ASSERTION_FAILURE", "sourceUrn": assertion},
        "created": stamp,
    }
    snapshot = {
        "urn": dataset,
        "aspects": [
            {"com.linkedin.pegasus2avro.common.BrowsePaths": {"paths": ["/prod/kafka"]}},
            {
                "com.linkedin.pegasus2avro.common.Ownership": {
                    "owners": [{"owner": "urn:li:corpuser:jdoe", "type": "DATAOWNER"}],
                    "lastModified": {"time": 0, "actor": "urn:li:corpuser:jdoe"},
                }
            },
        ],
    }

    def mcp(urn: str, aspect_name: str, value: dict[str, object]) -> dict[str, object]:
        return {
            "entityType": urn.split(":")[2],
            "entityUrn": urn,
            "changeType": "UPSERT",
            "aspectName": aspect_name,
            "aspect": {"value": json.dumps(value), "contentType": "application/json"},
        }

    return [
        {
            "proposedSnapshot": {
                "com.linkedin.pegasus2avro.metadata.snapshot.DatasetSnapshot": snapshot
            }
        },
        mcp(f"urn:li:incident:smoke-{mode.lower()}", "incidentInfo", incident),
        mcp(assertion, "assertionInfo", {"type": "DATASET"}),
    ]


graph = DataHubGraph(DatahubClientConfig(server=URL, token=TOKEN))
seen: dict[str, object] = {}
with tempfile.TemporaryDirectory() as folder:
    for mode in ("SYNC", "ASYNC_BATCH"):
        path = os.path.join(folder, f"{mode}.json")
        with open(path, "w") as file:
            json.dump(fixture(mode), file)
        pipeline = Pipeline.create(
            {
                "source": {"type": "file", "config": {"path": path}},
                "sink": {
                    "type": "datahub-rest",
                    "config": {"server": URL, "token": TOKEN, "mode": mode},
                },
            }
        )
        pipeline.run()
        pipeline.raise_from_status()
        urn = f"urn:li:dataset:(urn:li:dataPlatform:kafka,smoke-{mode.lower()},PROD)"
        seen[mode] = graph.execute_graphql(LIST, variables={"urn": urn})["dataset"]
print(json.dumps(seen))
