"""The GraphQL documents the client sends."""

from __future__ import annotations

ASSET_TYPES = (
    "Dataset",
    "Chart",
    "Dashboard",
    "DataFlow",
    "DataJob",
    "MLModel",
    "MLModelGroup",
    "MLFeature",
    "MLFeatureTable",
    "SchemaFieldEntity",
)

INCIDENT_FIELDS = """
fragment IncidentFields on Incident {
  urn incidentType customType title description priority dedupKey startedAt
  status { state stage message lastUpdated { time actor } }
  source { type }
  created { time actor }
  entities { urn }
  assignees { ... on CorpUser { urn } ... on CorpGroup { urn } }
}
"""

HEALTH_FIELDS = """
fragment HealthFields on Health {
  type status message
  activeIncidentHealthDetails { latestIncidentUrn latestIncidentTitle lastActivityAt count }
}
"""


def on_every_asset_type(selection: str) -> str:
    """`selection` on each asset type: the fields live on the types, not on Entity."""
    return " ".join(f"... on {name} {{ {selection} }}" for name in ASSET_TYPES)


RAISE = "mutation raise($input: RaiseIncidentInput!) { raiseIncident(input: $input) }"

UPDATE_STATUS = """
mutation updateStatus($urn: String!, $input: UpdateIncidentStatusInput!) {
  updateIncidentStatus(urn: $urn, input: $input)
}
"""

UPDATE = """
mutation update($urn: String!, $input: UpdateIncidentInput!) {
  updateIncident(urn: $urn, input: $input)
}
"""

RESOLVE_BY_DEDUP_KEY = """
mutation resolveByKey($urn: String!, $key: String!, $message: String) {
  resolveIncidentByDedupKey(resourceUrn: $urn, dedupKey: $key, message: $message)
}
"""

GET = (
    """
query incident($urn: String!) {
  entity(urn: $urn) {
    ... on Incident {
      ...IncidentFields
      activity { time actor kind previousValue newValue message via }
    }
  }
}
"""
    + INCIDENT_FIELDS
)

INCIDENTS_SELECTION = """
incidents(state: $state, stage: $stage, priority: $priority, start: $start, count: $count) {
  start count total incidents { ...IncidentFields }
}
"""

LIST = (
    """
query incidents(
  $urn: String!, $state: IncidentState, $stage: IncidentStage, $priority: IncidentPriority,
  $start: Int, $count: Int
) {
  entity(urn: $urn) { ASSET_SELECTION }
}
""".replace("ASSET_SELECTION", on_every_asset_type(INCIDENTS_SELECTION))
    + INCIDENT_FIELDS
)

HEALTH = (
    "query health($urn: String!) { entity(urn: $urn) { ASSET_SELECTION } }".replace(
        "ASSET_SELECTION", on_every_asset_type("health { ...HealthFields }")
    )
    + HEALTH_FIELDS
)

ASSET_FIELDS = "urn type " + on_every_asset_type(
    "name platform { name } health { ...HealthFields }"
)

SEARCH = (
    """
query search($input: SearchAcrossEntitiesInput!) {
  searchAcrossEntities(input: $input) {
    start count total searchResults { entity { ASSET_FIELDS } }
  }
}
""".replace("ASSET_FIELDS", ASSET_FIELDS)
    + HEALTH_FIELDS
)

ACTIVE_INCIDENTS = (
    "incidents(state: ACTIVE, start: 0, count: $count) { total incidents { ...IncidentFields } }"
)

# What the circuit breaker asks: the broken assets upstream, each with its active incidents.
BROKEN_UPSTREAM = (
    """
query brokenUpstream($input: SearchAcrossLineageInput!, $count: Int) {
  searchAcrossLineage(input: $input) {
    start count total
    searchResults { degree entity { urn ASSET_SELECTION } }
  }
}
""".replace("ASSET_SELECTION", on_every_asset_type(ACTIVE_INCIDENTS))
    + INCIDENT_FIELDS
)

SEARCH_INCIDENTS = (
    """
query searchIncidents($input: SearchAcrossEntitiesInput!) {
  searchAcrossEntities(input: $input) {
    start count total searchResults { entity { ... on Incident { ...IncidentFields } } }
  }
}
"""
    + INCIDENT_FIELDS
)

ME = """
query me {
  me { corpUser { urn username role } platformPrivileges { editEntityIncidents } }
}
"""
