"""The SDL of the asset types. Every kind of asset answers the same fields (its health, its
incidents, its properties, owners, lineage, relationships), so the type is written once here and
stamped for each kind, beside the hand-written files in schema/; a field only one kind has (a
Dataset's assertions) is an `extend type` there."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AssetType:
    kind: str  # the URN's entity type
    name: str  # the GraphQL type
    described: str  # the type's description
    fetch: str | None  # what its Query field fetches (none: read with entity(urn:))


ASSET_TYPES = (
    AssetType("dataset", "Dataset", "A Dataset, e.g. a table or a topic", "a Dataset"),
    AssetType("chart", "Chart", "A Chart, e.g. a Looker look", "a Chart"),
    AssetType("dashboard", "Dashboard", "A Dashboard, a collection of charts", "a Dashboard"),
    AssetType(
        "dataFlow",
        "DataFlow",
        "A Data Flow (Data Pipeline), e.g. an Airflow DAG",
        "a Data Flow (or Data Pipeline)",
    ),
    AssetType(
        "dataJob",
        "DataJob",
        "A Data Job (Data Task), a step of a Data Flow",
        "a Data Job (or Data Task)",
    ),
    AssetType("mlModel", "MLModel", "An ML Model, e.g. a trained classifier", "an ML Model"),
    AssetType(
        "mlModelGroup",
        "MLModelGroup",
        "An ML Model Group, the versions of one model",
        "an ML Model Group",
    ),
    AssetType(
        "mlFeature",
        "MLFeature",
        "An ML Feature, a value models are trained on and fed",
        "an ML Feature",
    ),
    AssetType(
        "mlFeatureTable",
        "MLFeatureTable",
        "An ML Feature Table, features kept together in a feature store",
        "an ML Feature Table",
    ),
    AssetType("schemaField", "SchemaFieldEntity", "A column of a Dataset", None),
)
GRAPHQL_TYPE_OF_KIND = {t.kind: t.name for t in ASSET_TYPES}

_QUERY_FIELD = '''
  """
  Fetch {fetch} by primary key (urn)
  """
  {kind}(urn: String!): {name}
'''

_TYPE = '''
"""
{described}
"""
type {name} implements Entity {{
  """
  The primary key of the {name}
  """
  urn: String!

  """
  The standard Entity Type
  """
  type: EntityType!

  """
  The name taken from the urn
  """
  name: String!

  """
  The platform, orchestrator or tool that holds it
  """
  platform: DataPlatform!

  """
  The health of the {name}, one entry per kind of signal
  """
  health: [Health!]

  """
  Incidents associated with the {name}, newest first
  """
  incidents(
    """
    Optional incident state to filter by, defaults to any state.
    """
    state: IncidentState
    """
    Optional incident stage to filter by, defaults to any stage.
    """
    stage: IncidentStage
    """
    Optional incident priority to filter by, defaults to any priority.
    """
    priority: IncidentPriority
    """
    Optional assignee urns: incidents assigned to any of them.
    """
    assigneeUrns: [String!]
    """
    Optional start offset, defaults to 0.
    """
    start: Int = 0
    """
    Optional page size, defaults to 20.
    """
    count: Int = 20
  ): EntityIncidentsResult

  """
  Whether the asset is known here: named by metadata or an incident, and not hard-deleted since
  """
  exists: Boolean

  """
  Name and description, from the asset's properties
  """
  properties: {name}Properties

  """
  Who owns the {name}
  """
  ownership: Ownership

  """
  Whether the {name} was soft-deleted
  """
  status: Status

  """
  The assets one hop upstream or downstream, with their health
  """
  lineage(input: LineageInput!): EntityLineageResult

  """
  What the caller may do to the {name}
  """
  privileges: EntityPrivileges

  """
  The entity's relationships of the given types, in one direction
  """
  relationships(input: RelationshipsInput!): EntityRelationshipsResult

  """
  Siblings of the {name}: always null, Dataflare keeps none
  """
  siblings: SiblingProperties

  """
  A search among the {name}'s siblings: always null, Dataflare keeps none
  """
  siblingsSearch(input: ScrollAcrossEntitiesInput!): ScrollResults
}}

"""
Name and description of a {name}
"""
type {name}Properties {{
  """
  The display name
  """
  name: String!

  """
  The description
  """
  description: String
}}
'''


def asset_sdl() -> str:
    """The Query fields and the types of every asset kind."""
    fields = "".join(_QUERY_FIELD.format(**vars(t)) for t in ASSET_TYPES if t.fetch)
    types = "".join(_TYPE.format(**vars(t)) for t in ASSET_TYPES)
    return f"extend type Query {{{fields}}}\n{types}"
