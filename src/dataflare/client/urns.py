"""A check of asset URNs before asking the server. Its reads accept any URN and answer an asset
it never saw with no incidents, so a mistyped URN would otherwise read as healthy. The shapes are
the server's (dataflare.core.urns, which the client does not import)."""

from __future__ import annotations

from dataflare.client.errors import ClientError

PREFIX = "urn:li:"
ASSET_KINDS = (
    "dataset",
    "chart",
    "dashboard",
    "dataFlow",
    "dataJob",
    "mlModel",
    "mlModelGroup",
    "mlFeature",
    "mlFeatureTable",
    "schemaField",
)
EXAMPLE = "urn:li:dataset:(urn:li:dataPlatform:hive,db.table,PROD)"
SHAPES = {
    "dataset": "urn:li:dataset:(urn:li:dataPlatform:<platform>,<name>,<ENV>)",
    "chart": "urn:li:chart:(<tool>,<id>)",
    "dashboard": "urn:li:dashboard:(<tool>,<id>)",
    "dataFlow": "urn:li:dataFlow:(<orchestrator>,<flowId>,<cluster>)",
    "dataJob": "urn:li:dataJob:(<dataFlow urn>,<jobId>)",
    "mlModel": "urn:li:mlModel:(urn:li:dataPlatform:<platform>,<name>,<ENV>)",
    "mlModelGroup": "urn:li:mlModelGroup:(urn:li:dataPlatform:<platform>,<name>,<ENV>)",
    "mlFeature": "urn:li:mlFeature:(<featureNamespace>,<name>)",
    "mlFeatureTable": "urn:li:mlFeatureTable:(urn:li:dataPlatform:<platform>,<name>)",
    "schemaField": "urn:li:schemaField:(<dataset urn>,<fieldPath>)",
}
PARTS = {
    "dataset": 3,
    "chart": 2,
    "dashboard": 2,
    "dataFlow": 3,
    "dataJob": 2,
    "mlModel": 3,
    "mlModelGroup": 3,
    "mlFeature": 2,
    "mlFeatureTable": 2,
    "schemaField": 2,
}
ON_A_PLATFORM = ("dataset", "mlModel", "mlModelGroup", "mlFeatureTable")


class InvalidUrn(ClientError, ValueError):
    """Not the URN of an asset (a dataset, chart, dashboard, dataFlow, dataJob, ML asset or
    column), or not of its shape."""


def check_asset_urn(urn: str) -> str:
    kind, _, key = urn.removeprefix(PREFIX).partition(":")
    if not urn.startswith(PREFIX) or kind not in ASSET_KINDS:
        raise InvalidUrn(
            f"Invalid asset URN '{urn}': expected urn:li:<kind>:(...) with kind one of "
            f"{', '.join(ASSET_KINDS)}, e.g. {EXAMPLE}."
        )
    if not _well_formed(kind, key):
        raise InvalidUrn(f"Invalid asset URN '{urn}': expected {SHAPES[kind]}.")
    return urn


def _well_formed(kind: str, key: str) -> bool:
    parts = _split(key)
    if parts is None or len(parts) != PARTS[kind] or not all(p.strip() for p in parts):
        return False
    if kind in ON_A_PLATFORM:
        platform = PREFIX + "dataPlatform:"
        return parts[0].startswith(platform) and len(parts[0]) > len(platform)
    if kind == "dataJob":
        flow = PREFIX + "dataFlow:"
        return parts[0].startswith(flow) and _well_formed("dataFlow", parts[0][len(flow) :])
    if kind == "schemaField":
        dataset = PREFIX + "dataset:"
        return parts[0].startswith(dataset) and _well_formed("dataset", parts[0][len(dataset) :])
    return True


def _split(key: str) -> list[str] | None:
    """`(a,b,(c,d))` split at its top-level commas; None when it is not one balanced tuple."""
    if len(key) < 2 or key[0] != "(" or key[-1] != ")":
        return None
    parts: list[str] = []
    current, depth = "", 0
    for char in key[1:-1]:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return None
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if depth == 0 else None
