"""GMS's reads, as the DataHub SDK and `datahub get` make them: GET /aspects/{urn},
GET /entitiesV2/{urn} and its batch form, GET /relationships and GET /openapi/relationships/v1/.
Any signed-in caller may read."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dataflare.access.service import Credentials, authenticate_request, check_presented
from dataflare.core.clock import now_ms
from dataflare.core.errors import DataflareError, InvalidInput, NotFound
from dataflare.core.limits import MAX_LIST_COUNT
from dataflare.core.urns import check_urn, entity_type_of
from dataflare.db.database import Database
from dataflare.incidents.graph import related_page
from dataflare.ingest import restli
from dataflare.ingest.gms_aspects import CLASS_NAMES, Entity, read_entity
from dataflare.ingest.gms_keys import KEY_ASPECTS
from dataflare.ingest.http import Internal, error_response

log = logging.getLogger("dataflare.ingest")
Query = dict[str, list[str]]
Read = Callable[[Session, Request, Query], dict[str, Any]]
DIRECTIONS = ("INCOMING", "OUTGOING")
DEFAULT_RELATIONSHIPS = 200  # GMS's page when no count is given


def _entity(session: Session, urn: str, names: list[str] | None) -> Entity:
    check_urn(urn)
    entity_type = entity_type_of(urn)
    if entity_type is None:
        raise InvalidInput(f"Malformed URN '{urn}': expected urn:li:<entity type>:<key>.")
    if entity_type not in KEY_ASPECTS:
        raise NotFound(f"Dataflare keeps no entity of type {entity_type}: '{urn}'.")
    entity = read_entity(session, urn, names)
    if entity is None:
        raise InvalidInput(f"Malformed URN '{urn}': its key does not fit {entity_type}.")
    return entity


def get_aspect(session: Session, request: Request, query: Query) -> dict[str, Any]:
    urn = request.path_params["urn"]
    name = restli.one(query, "aspect")
    if not name:
        raise InvalidInput("aspect: the name of the aspect is required, e.g. aspect=ownership.")
    version = restli.one(query, "version") or "0"
    if not version.lstrip("-").isdigit():
        raise InvalidInput(f"version: a whole number is required, not {version!r}.")
    entity = _entity(session, urn, [name])
    aspect = entity.aspects.get(name)
    if not entity.known or aspect is None or int(version) != 0 or name not in CLASS_NAMES:
        kept = "" if int(version) == 0 else " (only the latest version, 0, is kept)"
        raise NotFound(f"No aspect {name} version {version} of '{urn}'{kept}.")
    return {"urn": urn, "version": 0, "aspect": {CLASS_NAMES[name]: aspect.value}}


def _entity_response(entity: Entity) -> dict[str, Any]:
    return {
        "entityName": entity.entity_type,
        "urn": entity.urn,
        "aspects": {
            name: {
                "name": name,
                "type": "VERSIONED",
                "version": 0,
                "value": aspect.value,
                "created": {"time": aspect.created_at, "actor": aspect.created_by},
            }
            for name, aspect in entity.aspects.items()
        },
    }


def get_entity(session: Session, request: Request, query: Query) -> dict[str, Any]:
    names = restli.values(query, "aspects")
    return _entity_response(_entity(session, request.path_params["urn"], names))


def batch_get_entities(session: Session, _request: Request, query: Query) -> dict[str, Any]:
    urns = restli.values(query, "ids")
    if not urns:
        raise InvalidInput("ids: the URNs to read are required, e.g. ids=List(urn%3Ali%3A...).")
    if len(urns) > MAX_LIST_COUNT:
        raise InvalidInput(f"ids: at most {MAX_LIST_COUNT} URNs at once, not {len(urns)}.")
    names = restli.values(query, "aspects")
    results = {urn: _entity_response(_entity(session, urn, names)) for urn in dict.fromkeys(urns)}
    return {"results": results, "statuses": {}, "errors": {}}


def _related(
    session: Session, query: Query, types_parameter: str
) -> tuple[int, int, int, list[tuple[Any, ...]]]:
    urn = restli.one(query, "urn")
    if not urn:
        raise InvalidInput("urn: the URN whose relationships to read is required.")
    check_urn(urn)
    direction = restli.one(query, "direction")
    if direction not in DIRECTIONS:
        raise InvalidInput(f"direction: INCOMING or OUTGOING is required, not {direction!r}.")
    types = restli.values(query, types_parameter)
    if not types:
        raise InvalidInput(
            f"{types_parameter}: the relationship types are required, e.g. DownstreamOf, "
            "OwnedBy, IncidentOn."
        )
    start = restli.number(query, "start", 0, 1_000_000_000)
    count = restli.number(query, "count", DEFAULT_RELATIONSHIPS, MAX_LIST_COUNT)
    total, rows = related_page(session, urn, direction, types, start, count)
    return start, len(rows), total, rows


def get_relationships(session: Session, _request: Request, query: Query) -> dict[str, Any]:
    start, count, total, rows = _related(session, query, "types")
    found = [{"type": kind, "entity": urn} for urn, kind in rows]
    return {"start": start, "count": count, "total": total, "relationships": found}


def get_related_entities(session: Session, _request: Request, query: Query) -> dict[str, Any]:
    start, count, total, rows = _related(session, query, "relationshipTypes")
    found = [{"relationshipType": kind, "urn": urn} for urn, kind in rows]
    return {"start": start, "count": count, "total": total, "entities": found}


class GmsReads:
    def __init__(self, db: Database, admin_token: str | None) -> None:
        self.db = db
        self.admin_token = admin_token

    def endpoint(self, read: Read) -> Callable[[Request], Any]:
        async def handle(request: Request) -> Response:
            credentials = Credentials(request.headers.get("authorization"))
            try:
                check_presented(credentials)
            except DataflareError as error:
                return error_response(error)
            return await run_in_threadpool(self._run, read, request, credentials)

        return handle

    def _run(self, read: Read, request: Request, credentials: Credentials) -> Response:
        try:
            query = restli.parse_query(request.scope.get("query_string", b""))
            with self.db.session() as session:
                authenticate_request(session, credentials, self.admin_token, now_ms())
                return JSONResponse(read(session, request, query))
        except DataflareError as error:
            return error_response(error)
        except Exception:
            request_id = uuid.uuid4().hex[:12]
            log.exception("GMS read %s failed", request_id)
            return error_response(Internal(f"internal error (request id {request_id})"))
