"""The two requests the benchmark sends, byte for byte the same to Dataflare and to the no-op."""

from __future__ import annotations

import json

DATASET_URN = "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"

# The example from DataHub's Incidents guide, as a Python client sends it.
RAISE_INCIDENT = (
    "mutation raiseIncident { raiseIncident(input: { type: OPERATIONAL, "
    'title: "Dataset Failed Quality Checks", '
    'description: "Dataset failed 2/6 Quality Checks for suite run id xy123mksj812pk23.", '
    f'resourceUrn: "{DATASET_URN}" }}) }}'
)

DATASET_INCIDENTS = (
    f'query dataset {{ dataset(urn: "{DATASET_URN}") {{ '
    "incidents(state: ACTIVE, start: 0, count: 10) { "
    "total incidents { urn title description status { state } } } } }"
)

# In run order: the query comes second so that the dataset has (many) incidents to list.
SCENARIOS: dict[str, str] = {
    "raiseIncident": RAISE_INCIDENT,
    "dataset.incidents": DATASET_INCIDENTS,
}

GRAPHQL_PATH = "/api/graphql"


def request_body(scenario: str) -> bytes:
    return json.dumps({"query": SCENARIOS[scenario]}).encode()


def http_request(scenario: str, port: int, token: str) -> bytes:
    """The raw HTTP/1.1 keep-alive request, built once and sent as is for every call."""
    return http_request_for_body(request_body(scenario), port, token)


def http_request_for_body(body: bytes, port: int, token: str) -> bytes:
    """The same request around any GraphQL body (bench/catalog.py sends its own queries)."""
    head = (
        f"POST {GRAPHQL_PATH} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode() + body
