"""GraphQL documents for the catalog: what an asset says about itself, search, lineage."""

ASSET = """
query asset($urn: String!) {
  entity(urn: $urn) {
    urn type
    ... on Dataset { exists properties { name description } status { removed } ...owned }
    ... on Chart { exists properties { name description } status { removed } ...owned }
    ... on Dashboard { exists properties { name description } status { removed } ...owned }
    ... on DataFlow { exists properties { name description } status { removed } ...owned }
    ... on DataJob { exists properties { name description } status { removed } ...owned }
  }
}
fragment owned on Entity {
  ... on Dataset { ownership { ...owners } }
  ... on Chart { ownership { ...owners } }
  ... on Dashboard { ownership { ...owners } }
  ... on DataFlow { ownership { ...owners } }
  ... on DataJob { ownership { ...owners } }
}
fragment owners on Ownership {
  owners {
    type
    owner {
      ... on CorpUser {
        urn username properties { displayName email title } editableProperties { slack email }
      }
      ... on CorpGroup { urn name properties { displayName email slack } }
    }
  }
}
"""

LINEAGE_FIELDS = """
  lineage(input: {direction: $direction}) {
    start count total
    relationships { type degree entity { urn type ... on Dataset { health { status } } } }
  }
"""

LINEAGE = f"""
query lineage($urn: String!, $direction: LineageDirection!) {{
  entity(urn: $urn) {{
    ... on Dataset {{ {LINEAGE_FIELDS} }}
    ... on Chart {{ {LINEAGE_FIELDS} }}
    ... on Dashboard {{ {LINEAGE_FIELDS} }}
    ... on DataFlow {{ {LINEAGE_FIELDS} }}
    ... on DataJob {{ {LINEAGE_FIELDS} }}
  }}
}}
"""

SEARCH = """
query search($input: SearchAcrossEntitiesInput!) {
  searchAcrossEntities(input: $input) {
    start count total
    searchResults { entity { urn type } }
    facets { field displayName aggregations { value count } }
  }
}
"""

LINEAGE_SEARCH = """
query lineageSearch($input: SearchAcrossLineageInput!) {
  searchAcrossLineage(input: $input) {
    start count total
    searchResults { degree entity { urn type } }
    facets { field aggregations { value count } }
  }
}
"""

DATASET_HEALTH = """
query datasetHealth($urn: String!) {
  dataset(urn: $urn) {
    health { status message activeIncidentHealthDetails { count latestIncidentUrn } }
    incidents(count: 100) { total incidents { urn title status { state } } }
  }
}
"""
