"""Requests the fuzz test always sends before the generated ones: every seeded row read through
every field, and writes on seeded rows. Generated documents reach a given row only now and then;
these reach all of them every time."""

from __future__ import annotations

from dataflare.core.urns import entity_type_of
from dataflare.graphql.asset_sdl import GRAPHQL_TYPE_OF_KIND
from tests.fuzz.documents import Request
from tests.fuzz.seed import ALICE, ASSETS, DEDUP_KEY, INCIDENTS
from tests.graphql.documents import INCIDENT_FIELDS, KAFKA, RAISE, UPDATE, UPDATE_STATUS

HEALTH = """
  type status message causes reportedAt
  activeIncidentHealthDetails { latestIncidentUrn latestIncidentTitle lastActivityAt count }
"""
ASSET_FIELDS = f"""
  urn type name exists platform {{ urn name }}
  properties {{ name description }}
  ownership {{ owners {{ type owner {{ ... on CorpUser {{ urn }} ... on CorpGroup {{ urn }} }} }} }}
  status {{ removed }}
  health {{ {HEALTH} }}
  incidents(count: 10) {{ start count total incidents {{ {INCIDENT_FIELDS} }} }}
  upstream: lineage(input: {{ direction: UPSTREAM, count: 10 }}) {{
    start count total relationships {{ type degree entity {{ urn type }} }}
  }}
  downstream: lineage(input: {{ direction: DOWNSTREAM, count: 10 }}) {{
    total relationships {{ entity {{ urn }} }}
  }}
"""
ASSET_TYPES = {urn: GRAPHQL_TYPE_OF_KIND[str(entity_type_of(urn))] for urn in ASSETS}


RESOLVE = """
mutation resolve($asset: String!, $key: String!) {
  resolveIncidentByDedupKey(resourceUrn: $asset, dedupKey: $key, message: "passes again")
}
"""
SUSPEND = "mutation suspend($urn: String!) { updateCorpUserStatus(urn: $urn, status: SUSPENDED) }"


def _read_everything() -> Request:
    assets = [
        f'asset{n}: entity(urn: "{urn}") {{ ... on {ASSET_TYPES[urn]} {{ {ASSET_FIELDS} }} }}'
        for n, urn in enumerate(ASSETS)
    ]
    incidents = [
        f'incident{n}: entity(urn: "{urn}") {{ ... on Incident {{ {INCIDENT_FIELDS} '
        "activity { time actor kind previousValue newValue message } } }"
        for n, urn in enumerate(INCIDENTS)
    ]
    return Request("{\n" + "\n".join([*assets, *incidents]) + "\n}")


EVERY_ROW = _read_everything()
ON_SEEDED_ROWS = [
    Request(RAISE, {"input": {"type": "OPERATIONAL", "resourceUrns": ASSETS, "title": "all"}}),
    Request(UPDATE, {"urn": INCIDENTS[1], "input": {"title": "renamed", "resourceUrns": [KAFKA]}}),
    Request(UPDATE_STATUS, {"urn": INCIDENTS[0], "input": {"state": "ACTIVE", "message": "again"}}),
    Request(RESOLVE, {"asset": ASSETS[2], "key": DEDUP_KEY}),
    Request(SUSPEND, {"urn": ALICE}),
]
