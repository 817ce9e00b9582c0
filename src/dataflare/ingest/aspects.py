"""What each aspect means to Dataflare. Aspects not listed here are accepted and ignored.

A handler answers whether it changed anything, so that loading the same metadata again can say
so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from dataflare.catalog import service as catalog
from dataflare.catalog import stored_aspects
from dataflare.catalog.tags import tag_urns
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_COLUMN_EDGES
from dataflare.core.urns import ACTOR_KINDS, ASSET_KINDS, entity_type_of
from dataflare.ingest.assertion_aspects import ASSERTION_HANDLERS
from dataflare.ingest.incident_info import apply_incident_info, apply_incident_status
from dataflare.ingest.proposals import Proposal

Handler = Callable[[Session, str, Proposal], bool]


def _urns(value: Any, field: str) -> list[str]:
    """A list of URNs; DataHub writes them as strings, {"string": urn} or edges."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"aspect.{field}: a list is required.")
    urns = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            item = item.get("string") or item.get("destinationUrn") or item.get("dataset")
        if not isinstance(item, str):
            raise InvalidInput(f"aspect.{field}[{i}]: a URN string is required.")
        urns.append(item)
    return urns


def _text(aspect: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = aspect.get(key)
        if isinstance(value, str):
            return value
    return None


def properties(name_key: str) -> Handler:
    def handle(session: Session, _actor: str, p: Proposal) -> bool:
        return catalog.set_properties(
            session, p.entity_urn, _text(p.aspect, name_key), _text(p.aspect, "description")
        )

    return handle


def editable_properties(session: Session, _actor: str, p: Proposal) -> bool:
    description = _text(p.aspect, "description")
    return description is not None and catalog.set_description(session, p.entity_urn, description)


def status(session: Session, _actor: str, p: Proposal) -> bool:
    removed = p.aspect.get("removed", False)
    if not isinstance(removed, bool):
        raise InvalidInput(f"aspect.removed: true or false is required, not {removed!r}.")
    return catalog.set_removed(session, p.entity_urn, removed)


def tags(session: Session, _actor: str, p: Proposal) -> bool:
    """globalTags: checked here, kept as sent (a policy rule may name an asset's tag)."""
    tag_urns(p.aspect)
    return catalog.asset_to_change(session, p.entity_urn)[1]


def ownership(session: Session, _actor: str, p: Proposal) -> bool:
    owners = p.aspect.get("owners") or []
    if not isinstance(owners, list):
        raise InvalidInput("aspect.owners: a list is required.")
    pairs = []
    for i, owner in enumerate(owners):
        urn = owner.get("owner") if isinstance(owner, dict) else None
        if not isinstance(urn, str) or entity_type_of(urn) not in ACTOR_KINDS:
            raise InvalidInput(f"aspect.owners[{i}].owner: a user or group URN is required.")
        pairs.append((urn, str(owner.get("type") or "")))
    return catalog.set_owners(session, p.entity_urn, pairs)


# The (upstream, downstream) edges that each lineage-stating aspect of an asset states.
def upstream_lineage_edges(p: Proposal) -> list[tuple[str, str]]:
    upstreams = _urns(p.aspect.get("upstreams"), "upstreams")
    return [(u, p.entity_urn) for u in upstreams] + column_edges(p.aspect)


def column_edges(aspect: dict[str, Any]) -> list[tuple[str, str]]:
    """Column to column (schemaField URNs), from `fineGrainedLineages` (upstreamLineage and
    dataJobInputOutput): each upstream column feeds each downstream column of its entry. An
    entry's upstreams that are datasets (upstreamType DATASET) are not columns and state no
    column edge; its downstreams must be columns (downstreamType FIELD or FIELD_SET)."""
    entries = aspect.get("fineGrainedLineages")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise InvalidInput("aspect.fineGrainedLineages: a list is required.")
    edges: list[tuple[str, str]] = []
    for i, entry in enumerate(entries):
        where = f"fineGrainedLineages[{i}]"
        if not isinstance(entry, dict):
            raise InvalidInput(f"aspect.{where}: an object is required.")
        upstreams = _urns(entry.get("upstreams"), f"{where}.upstreams")
        downstreams = _urns(entry.get("downstreams"), f"{where}.downstreams")
        columns = [u for u in upstreams if entity_type_of(u) != "dataset"]
        for side, urns, wanted in (
            ("upstreams", columns, "a column (urn:li:schemaField:...) or a dataset"),
            ("downstreams", downstreams, "a column (urn:li:schemaField:...)"),
        ):
            for urn in urns:
                if entity_type_of(urn) != "schemaField":
                    raise InvalidInput(f"aspect.{where}.{side}: {wanted} is required, not {urn!r}.")
        if len(edges) + len(columns) * len(downstreams) > MAX_COLUMN_EDGES:
            raise InvalidInput(
                f"aspect.fineGrainedLineages: at most {MAX_COLUMN_EDGES:,} column edges "
                "(upstream columns times downstream columns, summed over the entries) in one "
                "aspect."
            )
        edges.extend((up, down) for up in columns for down in downstreams)
    return edges


def job_input_output_edges(p: Proposal) -> list[tuple[str, str]]:
    job, a = p.entity_urn, p.aspect
    inputs = _urns(a.get("inputDatasetEdges"), "inputDatasetEdges") or _urns(
        a.get("inputDatasets"), "inputDatasets"
    )
    outputs = _urns(a.get("outputDatasetEdges"), "outputDatasetEdges") or _urns(
        a.get("outputDatasets"), "outputDatasets"
    )
    upstream_jobs = _urns(a.get("inputDatajobEdges"), "inputDatajobEdges") or _urns(
        a.get("inputDatajobs"), "inputDatajobs"
    )
    stated = [(i, job) for i in [*inputs, *upstream_jobs]] + [(job, o) for o in outputs]
    return stated + column_edges(a)


def chart_edges(p: Proposal) -> list[tuple[str, str]]:
    inputs = _urns(p.aspect.get("inputEdges"), "inputEdges") or _urns(
        p.aspect.get("inputs"), "inputs"
    )
    return [(i, p.entity_urn) for i in inputs]


def dashboard_edges(p: Proposal) -> list[tuple[str, str]]:
    a = p.aspect
    charts = _urns(a.get("chartEdges"), "chartEdges") or _urns(a.get("charts"), "charts")
    datasets = _urns(a.get("datasetEdges"), "datasetEdges") or _urns(a.get("datasets"), "datasets")
    return [(source, p.entity_urn) for source in [*charts, *datasets]]


def ml_model_edges(p: Proposal) -> list[tuple[str, str]]:
    """mlModelProperties and mlModelGroupProperties: the jobs that train it, the jobs that use
    it, and (a model) the features it reads."""
    a, model = p.aspect, p.entity_urn
    training = _urns(a.get("trainingJobs"), "trainingJobs")
    features = _urns(a.get("mlFeatures"), "mlFeatures")
    using = _urns(a.get("downstreamJobs"), "downstreamJobs")
    return [(i, model) for i in [*training, *features]] + [(model, o) for o in using]


def ml_feature_edges(p: Proposal) -> list[tuple[str, str]]:
    """mlFeatureProperties: the datasets a feature is derived from."""
    return [(s, p.entity_urn) for s in _urns(p.aspect.get("sources"), "sources")]


def ml_feature_table_edges(p: Proposal) -> list[tuple[str, str]]:
    """mlFeatureTableProperties: the features the table holds."""
    return [(f, p.entity_urn) for f in _urns(p.aspect.get("mlFeatures"), "mlFeatures")]


LINEAGE_EDGES: dict[str, Callable[[Proposal], list[tuple[str, str]]]] = {
    "upstreamLineage": upstream_lineage_edges,
    "dataJobInputOutput": job_input_output_edges,
    "chartInfo": chart_edges,
    "dashboardInfo": dashboard_edges,
    "mlModelProperties": ml_model_edges,
    "mlModelGroupProperties": ml_model_edges,
    "mlFeatureProperties": ml_feature_edges,
    "mlFeatureTableProperties": ml_feature_table_edges,
}


def lineage(session: Session, _actor: str, p: Proposal) -> bool:
    edges = LINEAGE_EDGES[p.aspect_name](p)
    return catalog.set_lineage(session, p.entity_urn, p.aspect_name, edges)


def titled_with_lineage(session: Session, actor: str, p: Proposal) -> bool:
    """chartInfo and dashboardInfo: a title and description, and lineage."""
    named = properties("title")(session, actor, p)
    return lineage(session, actor, p) or named


def named_with_lineage(session: Session, actor: str, p: Proposal) -> bool:
    """The ML assets' properties: a name (a feature's and a table's come from the URN) and
    description, and lineage."""
    named = properties("name")(session, actor, p)
    return lineage(session, actor, p) or named


def referenced_assets(p: Proposal) -> list[str]:
    """The asset URNs a proposal would register if they were new: its own and those of the
    lineage it states (none when its lineage is malformed: applying it says what is wrong)."""
    if p.change_type == "DELETE" or handler_for(p) is None or p.entity_type not in ASSET_KINDS:
        return []
    edges = LINEAGE_EDGES.get(p.aspect_name)
    try:
        stated = edges(p) if edges is not None else []
    except InvalidInput:
        stated = []
    return [p.entity_urn, *(urn for pair in stated for urn in pair)]


def person(*fields: tuple[str, str]) -> Handler:
    """Copy (aspect key -> actor field) pairs that the aspect holds; when two keys fill the same
    field, the first one listed wins."""

    def handle(session: Session, _actor: str, p: Proposal) -> bool:
        values: dict[str, str | None] = {}
        for theirs, ours in fields:
            if isinstance(p.aspect.get(theirs), str):
                values.setdefault(ours, p.aspect[theirs])
        return catalog.upsert_actor(session, p.entity_urn, **values)

    return handle


ASSET_HANDLERS: dict[str, Handler] = {
    "datasetProperties": properties("name"),
    "dataFlowInfo": properties("name"),
    "dataJobInfo": properties("name"),
    "chartInfo": titled_with_lineage,
    "dashboardInfo": titled_with_lineage,
    "editableDatasetProperties": editable_properties,
    "editableChartProperties": editable_properties,
    "editableDashboardProperties": editable_properties,
    "editableDataFlowProperties": editable_properties,
    "editableDataJobProperties": editable_properties,
    "mlModelProperties": named_with_lineage,
    "mlModelGroupProperties": named_with_lineage,
    "mlFeatureProperties": named_with_lineage,
    "mlFeatureTableProperties": named_with_lineage,
    "editableMlModelProperties": editable_properties,
    "editableMlModelGroupProperties": editable_properties,
    "editableMlFeatureProperties": editable_properties,
    "editableMlFeatureTableProperties": editable_properties,
    "schemafieldInfo": properties("name"),
    "status": status,
    "ownership": ownership,
    "globalTags": tags,
    "upstreamLineage": lineage,
    "dataJobInputOutput": lineage,
}
ACTOR_HANDLERS: dict[str, Handler] = {
    "corpUserInfo": person(
        ("displayName", "display_name"),
        ("fullName", "display_name"),
        ("email", "email"),
        ("title", "title"),
    ),
    "corpUserEditableInfo": person(
        ("displayName", "display_name"), ("slack", "slack"), ("email", "email"), ("title", "title")
    ),
    "corpGroupInfo": person(
        ("displayName", "display_name"), ("email", "email"), ("slack", "slack")
    ),
    "corpGroupEditableInfo": person(("slack", "slack"), ("email", "email")),
}


def handler_for(p: Proposal) -> Handler | None:
    if p.entity_type in ASSET_KINDS:
        return ASSET_HANDLERS.get(p.aspect_name)
    if p.entity_type in ("corpuser", "corpGroup"):
        return ACTOR_HANDLERS.get(p.aspect_name)
    if p.entity_type == "incident":
        return INCIDENT_HANDLERS.get(p.aspect_name)
    if p.entity_type == "assertion":
        return ASSERTION_HANDLERS.get(p.aspect_name)
    return None


def incident_tags(session: Session, actor: str, p: Proposal) -> bool:
    """globalTags of an incident: kept as sent, shown as the incident's `tags`."""
    tag_urns(p.aspect)
    return stored_aspects.keep(session, p.entity_urn, p.aspect_name, p.aspect, actor)


INCIDENT_HANDLERS: dict[str, Handler] = {
    "incidentInfo": apply_incident_info,
    "status": apply_incident_status,
    "globalTags": incident_tags,
}
