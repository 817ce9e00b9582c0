"""Reading metadata change proposals (MCPs) and snapshot events (MCEs) into one plain shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataflare.core.errors import InvalidInput
from dataflare.core.text import check_tree, parse_json
from dataflare.core.urns import entity_type_of

UPSERT_CHANGES = ("UPSERT", "CREATE", "CREATE_ENTITY", "UPDATE", "RESTATE")


@dataclass(frozen=True)
class Proposal:
    entity_type: str
    entity_urn: str
    change_type: str  # UPSERT (and its synonyms) or DELETE
    aspect_name: str
    aspect: dict[str, Any]  # the aspect's value, parsed
    where: str  # how to name this proposal in an error, e.g. "proposals[3]"


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
    if change_type not in UPSERT_CHANGES:
        raise InvalidInput(
            f"{where}.changeType: {change_type} is not supported; send UPSERT (or DELETE of a "
            "key aspect)."
        )
    return Proposal(entity_type, urn, "UPSERT", aspect_name, _aspect_value(obj, where), where)


def _aspect_value(obj: dict[str, Any], where: str) -> dict[str, Any]:
    aspect = obj.get("aspect")
    if not isinstance(aspect, dict):
        raise InvalidInput(f"{where}.aspect: an object with a 'value' (JSON text) is required.")
    if isinstance(aspect.get("json"), dict):  # the file sink's form
        value: dict[str, Any] = aspect["json"]
        check_tree(value, f"{where}.aspect.json")
        return value
    content_type = aspect.get("contentType", "application/json")
    if content_type != "application/json":
        raise InvalidInput(f"{where}.aspect.contentType: only application/json is supported.")
    text = aspect.get("value")
    if not isinstance(text, str):
        raise InvalidInput(f"{where}.aspect.value: the aspect as JSON text is required.")
    parsed = parse_json(text, f"{where}.aspect.value")
    if not isinstance(parsed, dict):
        raise InvalidInput(f"{where}.aspect.value: must hold a JSON object.")
    return parsed


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
