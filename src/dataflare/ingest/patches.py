"""PATCH proposals: JSON Patch operations on an aspect, as DataHub's patch builders send them.
Dataflare applies those of `upstreamLineage` (the dbt source sends the warehouse tables' lineage
so by default) and `globalTags` to the aspect it keeps, and the result is applied as an UPSERT
would be. DataHub addresses the lists of those aspects by key, as its server's templates do:

- `/upstreams/<dataset URN>`: an upstream, by its dataset;
- `/fineGrainedLineages/<operation>/<downstream field>/<query URN or NONE>/<upstream field>`:
  a column's upstream, with its `confidenceScore`;
- `/tags/<tag URN>`: a tag.

A key holding `/` or `~` is escaped as JSON Pointer does (`~1`, `~0`)."""

from __future__ import annotations

import copy
from typing import Any

from dataflare.core.errors import InvalidInput

PATCHABLE = ("upstreamLineage", "globalTags")
OPS = ("add", "replace", "remove")
NO_QUERY = "NONE"
Fine = dict[str, dict[str, dict[str, dict[str, Any]]]]  # op -> down -> query -> up -> value


def read_patch(payload: Any, where: str) -> list[dict[str, Any]]:
    """The operations of a PATCH aspect: a JSON list of them, or DataHub's envelope
    `{"patch": [...], "arrayPrimaryKeys": {...}}`."""
    ops = payload.get("patch") if isinstance(payload, dict) else payload
    if not isinstance(ops, list):
        raise InvalidInput(f"{where}: a JSON Patch (a list of operations) is required.")
    for i, op in enumerate(ops):
        if not isinstance(op, dict) or op.get("op") not in OPS:
            raise InvalidInput(f"{where}[{i}].op: one of {', '.join(OPS)} is required.")
        if not isinstance(op.get("path"), str) or not op["path"].startswith("/"):
            raise InvalidInput(f"{where}[{i}].path: a path starting with / is required.")
        if op["op"] != "remove" and not isinstance(op.get("value"), dict):
            raise InvalidInput(f"{where}[{i}].value: an object is required.")
    return ops


def patch_aspect(name: str, current: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    """The aspect `name` once `ops` are applied to `current` (what Dataflare keeps of it, or {})."""
    if name not in PATCHABLE:
        raise InvalidInput(
            f"changeType: PATCH of {name} is not supported; send UPSERT (PATCH is applied to "
            f"{', '.join(PATCHABLE)})."
        )
    if name == "globalTags":
        return _patch_global_tags(current, ops)
    return _patch_upstream_lineage(current, ops)


def _patch_global_tags(current: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    result = copy.deepcopy(current)
    tags = {
        t["tag"]: t
        for t in result.get("tags") or []
        if isinstance(t, dict) and isinstance(t.get("tag"), str)
    }
    for i, op in enumerate(ops):
        keys = [_unescape(k) for k in op["path"].split("/")[1:]]
        if keys[0] != "tags" or len(keys) != 2:
            raise InvalidInput(f"patch[{i}].path: '{op['path'][:200]}' is not a tag (/tags/<urn>).")
        if op["op"] == "remove":
            tags.pop(keys[1], None)
        else:
            tags[keys[1]] = {**op["value"], "tag": keys[1]}
    result["tags"] = list(tags.values())
    return result


def _patch_upstream_lineage(current: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    result = copy.deepcopy(current)
    upstreams = {
        u["dataset"]: u
        for u in result.get("upstreams") or []
        if isinstance(u, dict) and isinstance(u.get("dataset"), str)
    }
    fine = _fine_by_key(result.get("fineGrainedLineages") or [])
    touched_fine = False
    for i, op in enumerate(ops):
        keys = [_unescape(k) for k in op["path"].split("/")[1:]]
        adding = op["op"] != "remove"
        if keys[0] == "upstreams" and len(keys) == 2:
            if adding:
                upstreams[keys[1]] = {**op["value"], "dataset": keys[1]}
            else:
                upstreams.pop(keys[1], None)
        elif keys[0] == "fineGrainedLineages" and len(keys) == 5:
            operation, down, query, up = keys[1:]
            by_up = fine.setdefault(operation, {}).setdefault(down, {}).setdefault(query, {})
            if adding:
                by_up[up] = op["value"]
            else:
                by_up.pop(up, None)
            touched_fine = True
        else:
            raise InvalidInput(
                f"patch[{i}].path: '{op['path'][:200]}' is not an upstream "
                "(/upstreams/<urn>) or a column's upstream (/fineGrainedLineages/...)."
            )
    result["upstreams"] = list(upstreams.values())
    if touched_fine:
        result["fineGrainedLineages"] = _fine_list(fine)
    return result


def _unescape(key: str) -> str:
    return key.replace("~1", "/").replace("~0", "~")


def _fine_by_key(entries: list[Any]) -> Fine:
    fine: Fine = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        operation = str(entry.get("transformOperation") or NO_QUERY)
        query = str(entry.get("query") or NO_QUERY)
        value = {"confidenceScore": entry.get("confidenceScore", 1.0)}
        for down in entry.get("downstreams") or []:
            by_query = fine.setdefault(operation, {}).setdefault(str(down), {})
            for up in entry.get("upstreams") or []:
                by_query.setdefault(query, {})[str(up)] = value
    return fine


def _fine_list(fine: Fine) -> list[dict[str, Any]]:
    """Back to DataHub's list: one entry per operation, downstream field and query."""
    entries = []
    for operation, by_down in fine.items():
        for down, by_query in by_down.items():
            for query, by_up in by_query.items():
                if not by_up:
                    continue
                scores = [v.get("confidenceScore") for v in by_up.values()]
                entry: dict[str, Any] = {
                    "upstreamType": "FIELD_SET",
                    "upstreams": list(by_up),
                    "downstreamType": "FIELD",
                    "downstreams": [down],
                    "confidenceScore": min(
                        (s for s in scores if isinstance(s, int | float)), default=1.0
                    ),
                }
                if operation != NO_QUERY:
                    entry["transformOperation"] = operation
                if query != NO_QUERY:
                    entry["query"] = query
                entries.append(entry)
    return entries
