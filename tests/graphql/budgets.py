"""The GraphQL documents whose statement counts are pinned, and the catalog they read."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.conftest import GraphQL
from tests.graphql.documents import RAISE, UPDATE_STATUS
from tests.ingest.mcps import dataset, ingest, mcp, ownership, properties

JDOE, ASMITH, TEAM = "urn:li:corpuser:jdoe", "urn:li:corpuser:asmith", "urn:li:corpGroup:team"
HOT = dataset("snowflake", "hot")

OWNERS = """
ownership {
  owners {
    type
    owner {
      ... on CorpUser { urn username status role properties { displayName email title } }
      ... on CorpGroup { urn name properties { displayName } }
    }
  }
}
"""
HEALTH = """
health {
  type status message causes reportedAt
  activeIncidentHealthDetails { latestIncidentUrn latestIncidentTitle lastActivityAt count }
}
"""
ASSET = f"""
urn type properties {{ name description }} {HEALTH} {OWNERS}
active: incidents(state: ACTIVE, start: 0, count: 10) {{ total incidents {{ urn title }} }}
resolved: incidents(state: RESOLVED, count: 0) {{ total }}
"""
# A search page as a UI shows it: every result with its health, owners and incident counts.
SEARCH_PAGE = f"""
query searchPage($input: SearchAcrossEntitiesInput!) {{
  searchAcrossEntities(input: $input) {{
    start count total
    searchResults {{
      entity {{ urn type ... on Dataset {{ {ASSET} }} ... on Chart {{ {ASSET} }} }}
    }}
    facets {{ field displayName aggregations {{ value count }} }}
  }}
}}
"""
INCIDENT = """
urn type incidentType customType title description priority startedAt
status { state stage message lastUpdated { time actor } }
assignees {
  ... on CorpUser { urn username properties { displayName } }
  ... on CorpGroup { urn name properties { displayName } }
}
entity { urn type }
entities { urn type ... on Dataset { properties { name } health { status message } } }
source { type }
created { time actor }
activity { time actor kind previousValue newValue message }
"""
# An asset's Incidents tab: a page of 20 with assignees, assets and timelines.
INCIDENTS_PAGE = f"""
query incidentsPage($urn: String!) {{
  dataset(urn: $urn) {{
    urn
    incidents(start: 0, count: 20) {{ start count total incidents {{ {INCIDENT} }} }}
  }}
}}
"""
ONE_INCIDENT = f"""
query one($urn: String!) {{ entity(urn: $urn) {{ ... on Incident {{ {INCIDENT} }} }} }}
"""


def asset_urn(i: int) -> str:
    return dataset("snowflake", f"table_{i:03}")


def catalog(client: TestClient, gql: GraphQL, assets: int) -> list[str]:
    """`assets` datasets, each owned by a user and a group, with one active and one resolved
    incident; people with their properties. Returns the datasets' URNs."""
    urns = [asset_urn(i) for i in range(assets)]
    ingest(
        client,
        mcp(JDOE, "corpUserInfo", {"displayName": "Jane Doe", "email": "jdoe@example.com"}),
        mcp(ASMITH, "corpUserInfo", {"displayName": "Alex Smith", "title": "Analyst"}),
        mcp(TEAM, "corpGroupInfo", {"displayName": "Team", "admins": [], "members": []}),
        *[properties(urn, f"table {i}", f"Table number {i}.") for i, urn in enumerate(urns)],
        *[ownership(urn, JDOE if i % 2 else ASMITH, TEAM) for i, urn in enumerate(urns)],
    )
    for urn in urns:
        for state in ("ACTIVE", "RESOLVED"):
            raise_one(gql, [urn], f"{state.lower()} on {urn}", state)
    return urns


def raise_one(gql: GraphQL, urns: list[str], title: str, state: str = "ACTIVE") -> str:
    given: dict[str, Any] = {"type": "OPERATIONAL", "title": title, "resourceUrns": urns}
    given |= {"priority": "HIGH", "assigneeUrns": [JDOE, TEAM], "status": {"state": state}}
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


def hot_asset(client: TestClient, gql: GraphQL, incidents: int) -> None:
    """HOT with `incidents` incidents, each also on a second dataset, and with a timeline of
    three entries (raised, a stage, resolved)."""
    ingest(client, properties(HOT, "hot"), ownership(HOT, JDOE))
    for i in range(incidents):
        urn = raise_one(gql, [HOT, asset_urn(i % 3)], f"incident {i}")
        status = {"state": "ACTIVE", "stage": "INVESTIGATION", "message": "looking"}
        gql.data(UPDATE_STATUS, {"urn": urn, "input": status})
        gql.data(UPDATE_STATUS, {"urn": urn, "input": {"state": "RESOLVED", "message": "ok"}})


# As DataHub's SDK sends them (tests/sdk/datahub_client.py, tests/sdk/datahub_catalog.py), and
# as DataHub's incidents guide shows them (tests/e2e/seed/incidents.md).
SDK_LIST = """query list($urn: String!) {
  dataset(urn: $urn) {
    health { type status message }
    incidents(state: ACTIVE, start: 0, count: 10) { total incidents { urn title priority } }
  }
}"""
SDK_SEARCH_BROKEN = """{
  searchAcrossEntities(input: {query: "*",
      orFilters: [{and: [{field: "hasActiveIncidents", values: ["true"]}]}]}) {
    total searchResults { entity { urn } }
  }
}"""
SEED_DATASET = """query dataset($urn: String!) {
  dataset(urn: $urn) {
    incidents(state: ACTIVE, start: 0, count: 10) {
      total
      incidents {
        urn
        title
        description
        status {
          state
        }
      }
    }
  }
}"""
# Each result of SEARCH_PAGE alone, to compare with what the page says of it.
ONE_ASSET = f"""
query one($urn: String!) {{ dataset(urn: $urn) {{ {ASSET} }} }}
"""
# Incidents filtered on more than their state, for each result of a search.
FILTERED = f"""
high: incidents(priority: HIGH, assigneeUrns: ["{JDOE}"], start: 0, count: 5) {{
  total incidents {{ urn title priority assignees {{ ... on CorpUser {{ urn }} }} }}
}}
staged: incidents(stage: INVESTIGATION, count: 0) {{ total }}
"""
FILTERED_SEARCH = f"""
query filtered($input: SearchAcrossEntitiesInput!) {{
  searchAcrossEntities(input: $input) {{
    total searchResults {{ entity {{ urn ... on Dataset {{ {FILTERED} }} }} }}
  }}
}}
"""
ONE_FILTERED = f"""
query one($urn: String!) {{ dataset(urn: $urn) {{ urn {FILTERED} }} }}
"""
# An asset's upstreams, each with its health and owners, as a lineage view shows them.
LINEAGE_PAGE = f"""
query lineagePage($urn: String!) {{
  dataset(urn: $urn) {{
    lineage(input: {{direction: UPSTREAM, start: 0, count: 100}}) {{
      total relationships {{ type degree entity {{ urn ... on Dataset {{ {HEALTH} {OWNERS} }} }} }}
    }}
  }}
}}
"""
