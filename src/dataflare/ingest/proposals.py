"""Reading metadata change proposals (MCPs) and snapshot events (MCEs) into one plain shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataflare.core.errors import InvalidInput
from dataflare.core.text import check_tree, parse_json
from dataflare.core.urns import entity_type_of
from dataflare.ingest.patches import read_patch

UPSERT_CHANGES = ("UPSERT", "CREATE", "CREATE_ENTITY", "UPDATE", "RESTATE")
PATCH_TYPE = "application/json-patch+json"


@dataclass(frozen=True)
class Proposal:
    entity_type: str
    entity_urn: str
    change_type: str  # UPSERT (and its synonyms), DELETE or PATCH
    aspect_name: str
    aspect: dict[str, Any]  # the aspect's value, parsed ({} for DELETE and PATCH)
    where: str  # how to name this proposal in an error, e.g. "proposals[3]"
    patch: list[dict[str, Any]] | None = None  # a PATCH's operations (patches.py)


def _need(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{where}.{key}: a non-empty string is required.")
    return value


def parse_proposal(obj: Any, where: str = "proposal") -> Proposal:
    """One MCP as the REST emitter or the file sink writes it."""
    if not isinstance(obj, dict):
        raise InvalidInput(f"{where}: a JSON object is required.")
    urn = _need(obj, "entityUrn", where)
    entity_type = obj.get("entityType") or entity_type_of(urn) or ""
    if entity_type_of(urn) != entity_type:
        raise InvalidInput(f"{where}.entityType: '{entity_type}' does not match the URN '{urn}'.")
    change_type = str(obj.get("changeType") or "UPSERT").upper()
    aspect_name = _need(obj, "aspectName", where)
    if change_type == "DELETE":
        return Proposal(entity_type, urn, "DELETE", aspect_name, {}, where)
    if change_type == "PATCH":
        ops = read_patch(_aspect_json(obj, where, PATCH_TYPE)[0], f"{where}.aspect")
        return Proposal(entity_type, urn, "PATCH", aspect_name, {}, where, ops)
    if change_type not in UPSERT_CHANGES:
        raise InvalidInput(
            f"{where}.changeType: {change_type} is not supported; send UPSERT, PATCH (or DELETE "
            "of a key aspect)."
        )
    parsed, sent_as = _aspect_json(obj, where, "application/json")
    if not isinstance(parsed, dict):
        raise InvalidInput(f"{sent_as}: must hold a JSON object.")
    return Proposal(entity_type, urn, "UPSERT", aspect_name, parsed, where)


def _aspect_json(obj: dict[str, Any], where: str, content_type: str) -> tuple[Any, str]:
    """The aspect's JSON: the file sink's `json`, or the REST emitter's `value` (JSON text of
    `content_type`); and where it was, to name in an error."""
    aspect = obj.get("aspect")
    if not isinstance(aspect, dict):
        raise InvalidInput(f"{where}.aspect: an object with a 'value' (JSON text) is required.")
    if isinstance(aspect.get("json"), dict | list):  # the file sink's form
        value = aspect["json"]
        check_tree(value, f"{where}.aspect.json")
        return value, f"{where}.aspect.json"
    sent_type = aspect.get("contentType", content_type)
    if sent_type != content_type:
        raise InvalidInput(f"{where}.aspect.contentType: {content_type} is required.")
    text = aspect.get("value")
    if not isinstance(text, str):
        raise InvalidInput(f"{where}.aspect.value: the aspect as JSON text is required.")
    return parse_json(text, f"{where}.aspect.value"), f"{where}.aspect.value"


def proposals_of_snapshot(obj: dict[str, Any], where: str) -> list[Proposal]:
    """An MCE (`proposedSnapshot`, as older file sinks write) as one proposal per aspect."""
    snapshot = obj["proposedSnapshot"]
    if not isinstance(snapshot, dict) or len(snapshot) != 1:
        raise InvalidInput(f"{where}.proposedSnapshot: one snapshot object is required.")
    [(snapshot_class, body)] = snapshot.items()
    here = f"{where}.proposedSnapshot.{snapshot_class}"
    if not isinstance(body, dict):
        raise InvalidInput(f"{here}: an object with 'urn' and 'aspects' is required.")
    urn = _need(body, "urn", here)
    aspects = body.get("aspects") or []
    if not isinstance(aspects, list):
        raise InvalidInput(f"{here}.aspects: a list is required.")
    proposals = []
    for i, wrapped in enumerate(aspects):
        if not isinstance(wrapped, dict) or len(wrapped) != 1:
            raise InvalidInput(f"{where}.aspects[{i}]: one aspect object is required.")
        [(class_name, value)] = wrapped.items()
        if not isinstance(value, dict):
            raise InvalidInput(f"{where}.aspects[{i}].{class_name}: an object is required.")
        short = class_name.rsplit(".", 1)[-1]
        name = short[:1].lower() + short[1:]
        proposals.append(
            Proposal(entity_type_of(urn) or "", urn, "UPSERT", name, value, f"{where}.aspects[{i}]")
        )
    return proposals


def parse_items(items: Any, where: str) -> list[Proposal]:
    """A list of MCPs and MCEs, as in a file the DataHub file sink wrote."""
    if not isinstance(items, list):
        raise InvalidInput(f"{where}: a JSON list of proposals is required.")
    proposals: list[Proposal] = []
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        if isinstance(item, dict) and "proposedSnapshot" in item:
            proposals.extend(proposals_of_snapshot(item, here))
        else:
            proposals.append(parse_proposal(item, here))
    return proposals
