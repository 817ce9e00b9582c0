"""Runs inside .venv-datahub: talks to a Dataflare server through the DataHub SDK.

Reads DATAFLARE_URL and DATAFLARE_TOKEN; prints one JSON object with what the SDK saw.
Kept free of Dataflare imports: it runs in the SDK's own environment.
"""

import json
import os

from datahub.configuration.common import GraphError
from datahub.ingestion.graph.client import DatahubClientConfig, DataHubGraph

KAFKA = "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"
RAISE = "mutation raise($input: RaiseIncidentInput!) { raiseIncident(input: $input) }"
RESOLVE = """mutation resolve($urn: String!, $input: IncidentStatusInput!) {
  updateIncidentStatus(urn: $urn, input: $input)
}"""
LIST = """query list($urn: String!) {
  dataset(urn: $urn) {
    health { type status message }
    incidents(state: ACTIVE, start: 0, count: 10) { total incidents { urn title priority } }
  }
}"""

graph = DataHubGraph(
    DatahubClientConfig(server=os.environ["DATAFLARE_URL"], token=os.environ["DATAFLARE_TOKEN"])
)
graph.test_connection()
seen: dict[str, object] = {}
raised = graph.execute_graphql(
    RAISE,
    variables={
        "input": {
            "type": "OPERATIONAL",
            "resourceUrn": KAFKA,
            "title": "from the SDK",
            "priority": "HIGH",
        }
    },
)
seen["raised"] = raised["raiseIncident"]
seen["active"] = graph.execute_graphql(LIST, variables={"urn": KAFKA})["dataset"]
seen["resolved"] = graph.execute_graphql(
    RESOLVE, variables={"urn": seen["raised"], "input": {"state": "RESOLVED", "message": "ok"}}
)
seen["after"] = graph.execute_graphql(LIST, variables={"urn": KAFKA})["dataset"]
try:
    graph.execute_graphql(RAISE, variables={"input": {"type": "CUSTOM", "resourceUrn": KAFKA}})
except GraphError as error:
    seen["error"] = str(error)
print(json.dumps(seen))
