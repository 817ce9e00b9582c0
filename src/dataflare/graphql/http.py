"""The GraphQL endpoint. In order: credentials present (at once, without reading anything),
the body read up to its limit, the token checked in the database, the document compiled (cached)
and its cost checked, then executed in one transaction. Everything past the headers runs in a
worker thread, so no document, however large, holds up the event loop."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from functools import partial
from typing import Any

from anyio import to_thread
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    execute_sync,
    get_operation_ast,
)
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dataflare.access.service import (
    CSRF_HEADER,
    Authenticated,
    Credentials,
    authenticate_request,
    check_presented,
)
from dataflare.access.sessions import COOKIE_NAME
from dataflare.access.tokens import record_use
from dataflare.core.bodies import read_body
from dataflare.core.clock import now_ms
from dataflare.core.errors import DataflareError, InvalidInput, TooLarge, Unauthenticated
from dataflare.core.limits import MAX_BODY_BYTES
from dataflare.core.text import check_tree, load_json
from dataflare.db.commit import ends_after_one_change
from dataflare.db.database import Database
from dataflare.graphql.context import RequestContext
from dataflare.graphql.documents import Documents
from dataflare.graphql.lanes import ReadLanes
from dataflare.graphql.limits import check_cost
from dataflare.graphql.metrics import UNKNOWN, Observed, operation_label, record
from dataflare.incidents import activity

log = logging.getLogger("dataflare.graphql")

# A client that acts for an agent (the MCP server over stdio) says so: its changes are marked
# in the timeline. It names a channel only; who acts is still the token's user.
VIA_HEADER = "X-Dataflare-Via"


def error_body(error: DataflareError) -> dict[str, Any]:
    return {"message": error.message, "extensions": {"code": error.code, "type": error.kind}}


@dataclass(frozen=True)
class Prepared:
    """A request body read and its document compiled: everything that needs no database."""

    payload: dict[str, Any] | None = None
    document: DocumentNode | None = None
    errors: tuple[GraphQLError, ...] = ()
    bad_request: InvalidInput | None = None  # the body itself: HTTP 400
    refused: InvalidInput | None = None  # a limit or a text rule: a GraphQL error
    mutations: int = 0  # top-level mutation fields of the operation to run


# (HTTP status, JSON body, id of a token whose use is to be recorded after the transaction)
Answer = tuple[int, dict[str, Any], int | None]


@dataclass(frozen=True)
class _Write:
    """A mutation authenticated and compiled, for SQLite's writer thread to run."""

    authenticated: Authenticated
    prepared: Prepared


class GraphQLEndpoint:
    def __init__(
        self,
        schema: GraphQLSchema,
        db: Database,
        admin_token: str | None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.schema = schema
        self.db = db
        self.admin_token = admin_token
        self.max_body_bytes = max_body_bytes
        self.documents = Documents(schema)
        # SQLite: searches and lineage apart from the short reads; PostgreSQL: the thread pool.
        threads = db.read_threads
        self.lanes = ReadLanes(self.documents, threads) if threads is not None else None

    async def handle(self, request: Request) -> Response:
        credentials = Credentials(
            authorization=request.headers.get("authorization"),
            session_cookie=request.cookies.get(COOKIE_NAME),
            csrf_token=request.headers.get(CSRF_HEADER),
        )
        try:
            check_presented(credentials)
            via = _via(request.headers.get(VIA_HEADER))
            raw = await read_body(request, self.max_body_bytes)
        except (Unauthenticated, TooLarge, InvalidInput) as refused:
            record(UNKNOWN, refused.code, {"errors": True})
            return JSONResponse({"errors": [error_body(refused)]}, status_code=refused.code)
        status, body = await self.answer(credentials, raw, via)
        return JSONResponse(body, status_code=status)

    async def answer(
        self, credentials: Credentials, raw: bytes, via: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """The HTTP status and JSON body for a request body from these credentials (checked
        here, in the database); `via` marks the timeline entries of what it changes. The MCP
        server's tools run through this too, as the same caller, so the API's rules hold."""
        request_id = uuid.uuid4().hex[:12]
        lane = self.lanes.limiter_for(raw) if self.lanes is not None else None
        observed = Observed()
        first = await to_thread.run_sync(
            self._first_step, credentials, raw, request_id, via, observed, limiter=lane
        )
        if isinstance(first, _Write):
            batches = self.db.group_commit
            assert batches is not None
            # SQLite: the writer thread runs this with the writes that arrive meanwhile.
            run = partial(self._execute, first.authenticated, first.prepared, request_id, via)
            answer = await _settled(batches.run(run))
        else:
            answer = first
        status, body, stale_token = answer
        record(observed.operation, status, body)
        if stale_token is not None:
            await run_in_threadpool(self._record_use, stale_token)
        return status, body

    def prepare(self, raw: bytes) -> Prepared:
        try:
            payload = _read_payload(raw)
        except InvalidInput as error:
            return Prepared(bad_request=error)
        compiled = self.documents.compile(payload["query"])
        if compiled.refused is not None or compiled.document is None or compiled.errors:
            return Prepared(payload, compiled.document, compiled.errors, refused=compiled.refused)
        try:
            check_tree(payload.get("variables"), "variables")
            check_cost(
                self.schema,
                compiled.document,
                payload.get("operationName"),
                payload.get("variables"),
            )
        except InvalidInput as refused:
            return Prepared(payload, compiled.document, refused=refused)
        mutations = _mutation_count(compiled.document, payload)
        return Prepared(payload, compiled.document, mutations=mutations)

    def _first_step(
        self,
        credentials: Credentials,
        raw: bytes,
        request_id: str,
        via: str | None,
        observed: Observed,
    ) -> Answer | _Write:
        """Authenticate, then compile; answer a query (and on PostgreSQL a mutation too) in the
        same transaction, or hand a SQLite mutation on to the writer thread."""
        batched = self.db.group_commit is not None
        try:
            # On PostgreSQL a write session is an ordinary one: one transaction does it all.
            with self.db.session(write=not batched) as session:
                authenticated = authenticate_request(
                    session, credentials, self.admin_token, now_ms()
                )
                prepared = self.prepare(raw)
                observed.operation = operation_label(prepared.document, prepared.payload)
                if prepared.mutations and batched:
                    return _Write(authenticated, prepared)
                if prepared.mutations == 1:  # committed as soon as it is done
                    ends_after_one_change(session)
                return self._execute(authenticated, prepared, request_id, via, session)
        except (Unauthenticated, _RollBack) as error:
            return _refused(error)

    def _execute(
        self,
        authenticated: Authenticated,
        prepared: Prepared,
        request_id: str,
        via: str | None,
        session: Session,
    ) -> Answer:
        """The answer, in the request's transaction. A failed single mutation raises _RollBack
        so that nothing it wrote is kept."""
        stale_token = authenticated.stale_token
        document, payload = prepared.document, prepared.payload
        if prepared.bad_request is not None:
            return 400, {"errors": [error_body(prepared.bad_request)]}, stale_token
        if prepared.refused is not None:
            return 200, {"errors": [error_body(prepared.refused)]}, stale_token
        if prepared.errors or document is None or payload is None:
            return 200, {"errors": [_format(e, request_id) for e in prepared.errors]}, stale_token
        caller = authenticated.caller
        context = RequestContext(
            session, caller.urn, request_id, user=caller, isolate_mutations=prepared.mutations > 1
        )
        # SQLite's writer runs several requests in one session: the mark is this request's only.
        session.info[activity.VIA] = via
        try:
            result = execute_sync(
                self.schema,
                document,
                context_value=context,
                variable_values=payload.get("variables"),
                operation_name=payload.get("operationName"),
            )
        finally:
            session.info.pop(activity.VIA, None)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [_format(e, request_id) for e in result.errors]
            if prepared.mutations == 1:
                raise _RollBack(body, stale_token)
        return 200, body, stale_token

    def _record_use(self, token_id: int) -> None:
        with self.db.session(write=True) as session:
            record_use(session, token_id, now_ms())


async def _settled(answer: Awaitable[Answer]) -> Answer:
    try:
        return await answer
    except (Unauthenticated, _RollBack) as error:
        return _refused(error)


def _refused(error: Unauthenticated | _RollBack) -> Answer:
    if isinstance(error, _RollBack):
        return 200, error.body, error.stale_token
    return 401, {"errors": [error_body(error)]}, None


# `{"query":"...","variables":{}}` written by hand, with the query's quotes left unescaped and
# perhaps a stray word pasted after it: the seed's own curl examples send exactly this, and every
# request of the seed must work unchanged. Only tried when the body is not valid JSON.
_HAND_WRITTEN_BODY = re.compile(
    r'\A\s*\{\s*"query"\s*:\s*"(?P<query>.*)"\s*(?:,\s*"variables"\s*:\s*\{\s*\}\s*)?\}'
    r"\s*[A-Za-z]*\s*\Z",
    re.DOTALL,
)


def _salvage(raw: bytes) -> dict[str, Any] | None:
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return None
    match = _HAND_WRITTEN_BODY.match(text)
    if match is None:
        return None
    query = match.group("query").replace("\\n", "\n").replace('\\"', '"')
    return {"query": query}


def _read_payload(raw: bytes) -> dict[str, Any]:
    try:
        payload = load_json(raw, "The request body")
    except InvalidInput:
        salvaged = _salvage(raw)
        if salvaged is None:
            raise
        payload = salvaged
    if not isinstance(payload, dict):
        raise InvalidInput('The request body must be a JSON object: {"query": "...", ...}.')
    if not isinstance(payload.get("query"), str) or not payload["query"].strip():
        raise InvalidInput('The request body needs a "query" string holding a GraphQL document.')
    if payload.get("variables") is not None and not isinstance(payload["variables"], dict):
        raise InvalidInput('"variables" must be a JSON object when given.')
    if payload.get("operationName") is not None and not isinstance(payload["operationName"], str):
        raise InvalidInput('"operationName" must be a string when given.')
    return payload


def _via(header: str | None) -> str | None:
    """The channel a client names in VIA_HEADER (only "mcp" is known), or None."""
    if header is None:
        return None
    channel = header.strip().lower()
    if channel not in activity.CHANNELS:
        raise InvalidInput(
            f"Unknown {VIA_HEADER} '{header[:40]}': leave it out, or send one of "
            f"{', '.join(activity.CHANNELS)}."
        )
    return channel


def _mutation_count(document: DocumentNode, payload: dict[str, Any]) -> int:
    """How many top-level mutation fields the operation to run holds (0 for a query)."""
    operation = get_operation_ast(document, payload.get("operationName"))
    if operation is None or operation.operation != OperationType.MUTATION:
        return 0
    return len(operation.selection_set.selections)


class _RollBack(Exception):
    """Leave the transaction without committing, answering `body`."""

    def __init__(self, body: dict[str, Any], stale_token: int | None) -> None:
        super().__init__("roll back")
        self.body = body
        self.stale_token = stale_token


def _format(error: GraphQLError, request_id: str) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, DataflareError):
        body = error_body(original)
    elif original is None or not error.path:  # syntax, validation, variables: the caller's to fix
        body = {"message": error.message, "extensions": {"code": 400, "type": "BAD_REQUEST"}}
    else:
        log.error("request %s failed", request_id, exc_info=original)
        body = {
            "message": f"internal error (request id {request_id})",
            "extensions": {"code": 500, "type": "SERVER_ERROR"},
        }
    if error.locations:
        body["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        body["path"] = list(error.path)
    return body
