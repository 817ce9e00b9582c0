"""The REST endpoints the DataHub emitter calls: /aspects?action=ingestProposal[Batch],
/entities?action=ingest (a snapshot, as `emit_mce` and the `datahub-rest` sink send one) and
/entities?action=delete. A batch is applied whole or not at all."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dataflare.access.roles import INGEST_METADATA, Caller
from dataflare.access.service import (
    Credentials,
    authenticate_request,
    check_presented,
    require_edit_incidents,
    require_privilege,
)
from dataflare.catalog.service import delete_asset
from dataflare.core.bodies import check_declared_size, read_body
from dataflare.core.clock import now_ms
from dataflare.core.errors import DataflareError, InvalidInput
from dataflare.core.limits import MAX_INGEST_BYTES
from dataflare.core.text import parse_json
from dataflare.core.urns import entity_type_of
from dataflare.db.database import Database
from dataflare.incidents import deletion
from dataflare.ingest.apply import apply_all
from dataflare.ingest.proposals import parse_items, parse_proposal, proposals_of_snapshot

log = logging.getLogger("dataflare.ingest")
Work = Callable[[Session, Caller, Any], Any]


def error_response(error: DataflareError) -> Response:
    # The shape of a Rest.li error, which the DataHub SDK reads `message` from.
    body = {
        "exceptionClass": "com.linkedin.restli.server.RestLiServiceException",
        "message": error.message,
        "status": error.code,
    }
    return JSONResponse(body, status_code=error.code)


def _ingest_one(session: Session, caller: Caller, body: Any) -> dict[str, Any]:
    proposal = parse_proposal(_field(body, "proposal"), "proposal")
    apply_all(session, caller, [proposal])
    return {"value": proposal.entity_urn}


def _ingest_batch(session: Session, caller: Caller, body: Any) -> dict[str, Any]:
    proposals = parse_items(_field(body, "proposals"), "proposals")
    apply_all(session, caller, proposals)
    return {"value": list(dict.fromkeys(p.entity_urn for p in proposals))}


def _ingest_snapshot(session: Session, caller: Caller, body: Any) -> dict[str, Any]:
    """An MCE as the REST emitter sends it: `{"entity": {"value": {"<snapshot class>": {"urn",
    "aspects"}}}, "systemMetadata": {...}}`, each of its aspects a proposal, all or none."""
    entity = _field(body, "entity")
    snapshot = entity.get("value") if isinstance(entity, dict) else None
    if not isinstance(snapshot, dict):
        raise InvalidInput('entity.value: the snapshot, {"<snapshot class>": {...}}, is required.')
    apply_all(
        session, caller, proposals_of_snapshot({"proposedSnapshot": snapshot}, "entity.value")
    )
    return {}


def _delete(session: Session, caller: Caller, body: Any) -> dict[str, Any]:
    urn = _field(body, "urn")
    if not isinstance(urn, str) or not urn:
        raise InvalidInput("urn: the URN of the entity to delete is required.")
    if entity_type_of(urn) == "incident":
        # A hard delete of the incident, for whoever may edit incidents on all its assets.
        named = deletion.asset_urns(session, urn)
        if named is not None:
            require_edit_incidents(session, caller, named)
        rows = 0 if named is None else deletion.delete_incident(session, caller.urn, urn)
        return {"value": {"urn": urn, "rows": rows, "timeseriesRows": 0}}
    deleted = delete_asset(session, urn)
    return {"value": {"urn": urn, "rows": int(deleted), "timeseriesRows": 0}}


def _field(body: Any, name: str) -> Any:
    if not isinstance(body, dict) or name not in body:
        raise InvalidInput(f'The request body must be a JSON object with "{name}".')
    return body[name]


ACTIONS: dict[tuple[str, str], Work] = {
    ("aspects", "ingestProposal"): _ingest_one,
    ("aspects", "ingestProposalBatch"): _ingest_batch,
    ("entities", "ingest"): _ingest_snapshot,
    ("entities", "delete"): _delete,
}


class IngestEndpoints:
    def __init__(
        self, db: Database, admin_token: str | None, max_body_bytes: int = MAX_INGEST_BYTES
    ) -> None:
        self.db = db
        self.admin_token = admin_token
        self.max_body_bytes = max_body_bytes

    async def aspects(self, request: Request) -> Response:
        return await self._handle(request, "aspects")

    async def entities(self, request: Request) -> Response:
        return await self._handle(request, "entities")

    async def _handle(self, request: Request, resource: str) -> Response:
        """Who is calling and whether they may, before a byte of the body (up to 32 MiB) is
        read; then the body, up to its limit; then the work, in one transaction."""
        action = request.query_params.get("action", "")
        credentials = Credentials(request.headers.get("authorization"))
        try:
            check_presented(credentials)
            check_declared_size(request, self.max_body_bytes)
            work = ACTIONS.get((resource, action))
            if work is None:
                known = ", ".join(f"{r}?action={a}" for r, a in ACTIONS if r == resource)
                raise InvalidInput(f"Unknown action '{action}': use {known}.")
            caller = await run_in_threadpool(self._caller, credentials)
            raw = await read_body(request, self.max_body_bytes)
        except DataflareError as error:
            return error_response(error)
        return await run_in_threadpool(self._run, work, caller, raw)

    def _caller(self, credentials: Credentials) -> Caller:
        with self.db.session() as session:
            caller = authenticate_request(session, credentials, self.admin_token, now_ms()).caller
        require_privilege(caller, INGEST_METADATA)
        return caller

    def _run(self, work: Work, caller: Caller, raw: bytes) -> Response:
        try:
            body = parse_json(raw, "The request body")
            with self.db.session(write=True) as session:
                return JSONResponse(work(session, caller, body))
        except DataflareError as error:
            return error_response(error)
        except Exception:
            request_id = uuid.uuid4().hex[:12]
            log.exception("ingestion request %s failed", request_id)
            return error_response(Internal(f"internal error (request id {request_id})"))


class Internal(DataflareError):
    code = 500
    kind = "SERVER_ERROR"
