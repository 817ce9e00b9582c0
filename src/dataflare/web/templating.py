"""The Jinja2 environment of the web UI, with the few filters its templates share."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from starlette.templating import Jinja2Templates

from dataflare.assertions.words import type_words
from dataflare.core.clock import format_time, iso_time
from dataflare.core.errors import DataflareError
from dataflare.core.urns import ASSET_KINDS, entity_type_of, parse_asset
from dataflare.core.vocabulary import NUMBER_TO_PRIORITY
from dataflare.web.static_files import FILES

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

KIND_LABELS = {
    "dataset": "Dataset",
    "chart": "Chart",
    "dashboard": "Dashboard",
    "dataFlow": "Pipeline",
    "dataJob": "Task",
    "mlModel": "ML model",
    "mlModelGroup": "ML model group",
    "mlFeature": "ML feature",
    "mlFeatureTable": "ML feature table",
    "schemaField": "Column",
}
ENTITY_TYPE_LABELS = {ASSET_KINDS[kind]: label for kind, label in KIND_LABELS.items()}


def asset_url(urn: str) -> str:
    return "/asset/" + quote(urn, safe="")


def incident_url(urn: str) -> str:
    return "/incident/" + quote(urn, safe="")


def assertion_url(urn: str) -> str:
    return "/assertion/" + quote(urn, safe="")


def asset_label(urn: str) -> str:
    """An asset's name as its URN says it (the URN itself when it is not an asset's)."""
    try:
        return parse_asset(urn).name
    except DataflareError:
        return urn


def words(value: str | None) -> str:
    """WORK_IN_PROGRESS -> Work in progress."""
    return "" if not value else value.replace("_", " ").capitalize()


def priority(number: int | None) -> str:
    return words(NUMBER_TO_PRIORITY.get(number)) if number is not None else ""


def actor_name(urn: str | None) -> str:
    """urn:li:corpuser:jdoe -> jdoe (groups keep a marker)."""
    if not urn:
        return ""
    kind = entity_type_of(urn)
    name = urn.split(":", 3)[3] if kind else urn
    return f"{name} (group)" if kind == "corpGroup" else name


def platform_name(value: str) -> str:
    return value.removeprefix("urn:li:dataPlatform:")


templates.env.filters.update(
    static_url=FILES.url,
    asset_url=asset_url,
    incident_url=incident_url,
    assertion_url=assertion_url,
    asset_label=asset_label,
    assertion_type=type_words,
    when=format_time,
    iso=iso_time,
    words=words,
    priority=priority,
    priority_name=NUMBER_TO_PRIORITY.get,
    actor_name=actor_name,
    platform_name=platform_name,
    kind_label=lambda kind: KIND_LABELS.get(kind, kind),
    entity_type_label=lambda value: ENTITY_TYPE_LABELS.get(value, words(value)),
)
