"""The no-op baseline: Dataflare's request path without auth, database or real resolvers.

Same stack and the same steps as dataflare.graphql.http: Starlette route, read the body, then in
the thread pool decode the JSON, parse and validate (cached by query text), pick the operation
and `execute_sync`; answer with JSONResponse. Resolvers return constants shaped like Dataflare's
answers, so both servers send about the same bytes.

With `--event-loop` it answers on the event loop itself, with no hand-over to a thread: the
fastest this stack answers, which the benchmark's ratios are taken against.

Run: python bench/noop_app.py --port 9100 [--event-loop]
"""

from __future__ import annotations

import argparse
import json
import uuid
from functools import lru_cache
from typing import Any

import uvicorn
from graphql import (
    DocumentNode,
    GraphQLError,
    OperationType,
    build_schema,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
)
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# Only the types and fields the two benchmark requests touch, with Dataflare's names.
SCHEMA = build_schema("""
enum IncidentType { FRESHNESS VOLUME FIELD SQL DATA_SCHEMA OPERATIONAL CUSTOM }
enum IncidentState { ACTIVE RESOLVED }
input RaiseIncidentInput {
  type: IncidentType!
  customType: String
  title: String
  description: String
  resourceUrn: String
  resourceUrns: [String!]
}
type IncidentStatus { state: IncidentState! message: String }
type Incident { urn: String! title: String description: String status: IncidentStatus! }
type EntityIncidentsResult { start: Int! count: Int! total: Int! incidents: [Incident!]! }
type Dataset {
  urn: String!
  incidents(state: IncidentState, start: Int, count: Int): EntityIncidentsResult
}
type Query { dataset(urn: String!): Dataset }
type Mutation { raiseIncident(input: RaiseIncidentInput!): String! }
""")

INCIDENT_URN = "urn:li:incident:2b5a4f0e-6c1d-4a8e-9f3b-7d2c1e0a9b84"  # as long as a real one
INCIDENT = {
    "urn": INCIDENT_URN,
    "title": "Dataset Failed Quality Checks",
    "description": "Dataset failed 2/6 Quality Checks for suite run id xy123mksj812pk23.",
    "status": {"state": "ACTIVE"},
}
# graphql-core's default resolver reads dict keys and ignores field arguments.
ROOT = {
    "raiseIncident": INCIDENT_URN,
    "dataset": {
        "incidents": {"start": 0, "count": 10, "total": 10000, "incidents": [INCIDENT] * 10}
    },
}


@lru_cache(maxsize=1024)
def compile_query(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, (error,)
    return document, tuple(validate(SCHEMA, document))


def answer(raw: bytes) -> tuple[int, dict[str, Any]]:
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        return 400, {"errors": [{"message": f"invalid JSON: {exc}"}]}
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return 400, {"errors": [{"message": 'expected {"query": "..."}'}]}
    document, errors = compile_query(payload["query"])
    if errors or document is None:
        return 200, {"errors": [error.formatted for error in errors]}
    # Dataflare looks at the operation to open a read or a write transaction; do the same work.
    operation = get_operation_ast(document, payload.get("operationName"))
    _ = operation is not None and operation.operation == OperationType.MUTATION
    result = execute_sync(
        SCHEMA,
        document,
        root_value=ROOT,
        variable_values=payload.get("variables"),
        operation_name=payload.get("operationName"),
    )
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return 200, body


async def graphql_endpoint(request: Request) -> Response:
    _request_id = uuid.uuid4().hex[:12]  # Dataflare makes one per request for its error reports
    raw = await request.body()
    status, body = await run_in_threadpool(answer, raw)
    return JSONResponse(body, status_code=status)


async def graphql_on_the_loop(request: Request) -> Response:
    _request_id = uuid.uuid4().hex[:12]
    status, body = answer(await request.body())
    return JSONResponse(body, status_code=status)


async def health_endpoint(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def make_app(on_the_loop: bool) -> Starlette:
    endpoint = graphql_on_the_loop if on_the_loop else graphql_endpoint
    return Starlette(
        routes=[
            Route("/api/graphql", endpoint, methods=["POST"]),
            Route("/health", health_endpoint, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--event-loop", action="store_true", help="answer without a thread")
    args = parser.parse_args()
    # The options `dataflare serve` passes: one worker, uvicorn's default loop and HTTP parser.
    uvicorn.run(
        make_app(args.event_loop),
        host=args.host,
        port=args.port,
        workers=1,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
