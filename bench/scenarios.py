"""The requests the benchmark sends, byte for byte the same to Dataflare and to the no-op."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

DATASET_URN = "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"

SPREAD_ASSETS = 1000


# The example from DataHub's Incidents guide, as a Python client sends it.
RAISE_INCIDENT = (
    "mutation raiseIncident { raiseIncident(input: { type: OPERATIONAL, "
    'title: "Dataset Failed Quality Checks", '
    'description: "Dataset failed 2/6 Quality Checks for suite run id xy123mksj812pk23.", '
    f'resourceUrn: "{DATASET_URN}" }}) }}'
)


def bench_asset(name: str) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:kafka,{name},PROD)"


DATASET_INCIDENTS = (
    f'query dataset {{ dataset(urn: "{DATASET_URN}") {{ '
    "incidents(state: ACTIVE, start: 0, count: 10) { "
    "total incidents { urn title description status { state } } } } }"
)

# Each load process names its never-seen assets apart from every other run's.
_RUN = f"{os.getpid()}_{os.urandom(3).hex()}"

# The same raise with the asset in a variable, as clients raising on many assets send it (one
# document, parsed once, whatever the asset).
RAISE_ON_VARIABLE = (
    "mutation raiseIncident($urn: String!) { raiseIncident(input: { type: OPERATIONAL, "
    'title: "Dataset Failed Quality Checks", resourceUrn: $urn }) }'
)

# In run order: the query comes second so that the dataset has (many) incidents to list. Each
# gives the body of a connection's n-th request; most send the same one every time.
SCENARIOS: dict[str, Callable[[int], dict[str, object]]] = {
    "raiseIncident": lambda _: {"query": RAISE_INCIDENT},
    "dataset.incidents": lambda _: {"query": DATASET_INCIDENTS},
    # Raises spread over 1,000 assets, one after the other.
    "raise.1000assets": lambda n: {
        "query": RAISE_ON_VARIABLE,
        "variables": {"urn": bench_asset(f"spread_{n % SPREAD_ASSETS}")},
    },
    # Each raise on an asset never seen before, which it registers.
    "raise.newAsset": lambda n: {
        "query": RAISE_ON_VARIABLE,
        "variables": {"urn": bench_asset(f"new_{_RUN}_{n}")},
    },
}
VARYING = frozenset({"raise.1000assets", "raise.newAsset"})

GRAPHQL_PATH = "/api/graphql"


def request_body(scenario: str, n: int = 0) -> bytes:
    return json.dumps(SCENARIOS[scenario](n)).encode()


def http_requests(scenario: str, port: int, token: str) -> Callable[[], bytes]:
    """The raw HTTP/1.1 keep-alive requests of a scenario, one after the other: built once and
    sent as is every time, unless the scenario varies them."""
    if scenario not in VARYING:
        return constant(http_request_for_body(request_body(scenario), port, token))
    count = iter(range(1 << 62))
    return lambda: http_request_for_body(request_body(scenario, next(count)), port, token)


def constant(request: bytes) -> Callable[[], bytes]:
    """The same request every time."""
    return lambda: request


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
