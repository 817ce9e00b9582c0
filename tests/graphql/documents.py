"""GraphQL documents shared by the tests."""

KAFKA = "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"
CHART = "urn:li:chart:(looker,look.1)"
DASHBOARD = "urn:li:dashboard:(looker,dashboards.1)"
FLOW = "urn:li:dataFlow:(airflow,daily_sales,prod)"
JOB = "urn:li:dataJob:(urn:li:dataFlow:(airflow,daily_sales,prod),load)"

RAISE = """
mutation raise($input: RaiseIncidentInput!) { raiseIncident(input: $input) }
"""

UPDATE_STATUS = """
mutation update($urn: String!, $input: UpdateIncidentStatusInput!) {
  updateIncidentStatus(urn: $urn, input: $input)
}
"""

UPDATE_STATUS_NEWER_CLIENT = """
mutation update($urn: String!, $input: IncidentStatusInput!) {
  updateIncidentStatus(urn: $urn, input: $input)
}
"""

UPDATE = """
mutation update($urn: String!, $input: UpdateIncidentInput!) {
  updateIncident(urn: $urn, input: $input)
}
"""

INCIDENT_FIELDS = """
  urn type incidentType customType title description priority startedAt
  status { state stage message lastUpdated { time actor } }
  incidentStatus { state stage message }
  assignees { ... on CorpUser { urn username } ... on CorpGroup { urn name } }
  entity { urn type }
  entities { urn }
  source { type }
  created { time actor }
"""

INCIDENT = f"""
query incident($urn: String!) {{
  entity(urn: $urn) {{ ... on Incident {{ {INCIDENT_FIELDS} }} }}
}}
"""

ACTIVITY = """
query activity($urn: String!) {
  entity(urn: $urn) {
    ... on Incident { activity { time actor kind previousValue newValue message } }
  }
}
"""

HEALTH = """
query health($urn: String!) {
  entity(urn: $urn) {
    ... on Dataset { health { ...h } }
    ... on Chart { health { ...h } }
    ... on Dashboard { health { ...h } }
    ... on DataFlow { health { ...h } }
    ... on DataJob { health { ...h } }
  }
}
fragment h on Health {
  type status message causes reportedAt
  activeIncidentHealthDetails { latestIncidentUrn latestIncidentTitle lastActivityAt count }
}
"""


def incidents_query(field: str) -> str:
    """The `incidents` field of one asset kind, with every filter as a variable."""
    return f"""
query list($urn: String!, $state: IncidentState, $stage: IncidentStage,
           $priority: IncidentPriority, $assigneeUrns: [String!], $start: Int, $count: Int) {{
  {field}(urn: $urn) {{
    urn type
    incidents(state: $state, stage: $stage, priority: $priority, assigneeUrns: $assigneeUrns,
              start: $start, count: $count) {{
      start count total
      incidents {{ urn title priority status {{ state stage }} }}
    }}
  }}
}}
"""


DATASET_INCIDENTS = incidents_query("dataset")
