"""Assertion proposals as DataHub's emitters write them, and the GraphQL documents that read
assertions back."""

from __future__ import annotations

from typing import Any

from tests.ingest.mcps import dataset, mcp

ORDERS = dataset("snowflake", "orders")
ASSERTION = "urn:li:assertion:2d3b06a6e77e1f24adc9860a05ea089b"


def dataset_info(urn: str = ASSERTION, on: str = ORDERS, **fields: Any) -> dict[str, Any]:
    """A DATASET assertion as DataHub's own assertion test writes one."""
    value = {
        "type": "DATASET",
        "customProperties": {"suite_name": "demo_suite"},
        "datasetAssertion": {
            "fields": [f"urn:li:schemaField:({on},col1)"],
            "dataset": on,
            "scope": "DATASET_COLUMN",
            "operator": "LESS_THAN",
            "nativeType": "column_value_is_less_than",
            "aggregation": "IDENTITY",
            "nativeParameters": {"max_value": "99"},
        },
        **fields,
    }
    return mcp(urn, "assertionInfo", value)


def run(
    at: int,
    result: str = "SUCCESS",
    urn: str = ASSERTION,
    on: str = ORDERS,
    run_id: str = "uuid1",
    partition: str | None = None,
    **result_fields: Any,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "timestampMillis": at,
        "assertionUrn": urn,
        "asserteeUrn": on,
        "runId": run_id,
        "status": "COMPLETE",
        "result": {"type": result, **result_fields},
    }
    if partition is not None:
        value["partitionSpec"] = {"partition": partition, "type": "PARTITION"}
    return mcp(urn, "assertionRunEvent", value)


DATASET_ASSERTIONS = """
query dataset($urn: String!, $count: Int, $soft: Boolean) {
  dataset(urn: $urn) {
    assertions(start: 0, count: $count, includeSoftDeleted: $soft) {
      start count total
      assertions {
        urn type
        info { type datasetAssertion { datasetUrn scope aggregation operator } }
        runEvents(limit: 3) {
          total failed succeeded
          runEvents { timestampMillis status result { type } }
        }
      }
    }
  }
}
"""

ASSERTION_DETAIL = """
query one($urn: String!) {
  assertion(urn: $urn) {
    urn type platform { name }
    status { removed }
    info {
      type description externalUrl
      customProperties { key value associatedUrn }
      source { type }
      datasetAssertion {
        datasetUrn scope fields { urn path } aggregation operator nativeType logic
        parameters { value { type value } maxValue { value } minValue { value } }
        nativeParameters { key value }
      }
      freshnessAssertion { type entityUrn schedule { type cron { cron timezone } } }
      volumeAssertion { type entityUrn rowCountTotal { operator parameters { value { value } } } }
      sqlAssertion { type entityUrn statement operator parameters { value { value } } }
      fieldAssertion {
        type entityUrn
        fieldValuesAssertion { field { path type nativeType } operator excludeNulls }
        fieldMetricAssertion { field { path } metric operator }
      }
      schemaAssertion { entityUrn fields { path type nativeType } compatibility }
      customAssertion { type entityUrn field { urn path } logic }
    }
    runEvents(limit: 10) {
      total failed succeeded errored
      runEvents {
        timestampMillis assertionUrn asserteeUrn runId status
        partitionSpec { type partition }
        result {
          type rowCount unexpectedCount actualAggValue externalUrl
          nativeResults { key value }
          error { type }
        }
      }
    }
  }
}
"""

ASSERTION_HEALTH = """
query health($urn: String!) {
  dataset(urn: $urn) {
    health {
      type status message causes reportedAt
      latestAssertionStatusByType { type status total statusCount lastStatusResultAt }
    }
  }
}
"""

INCIDENT_SOURCE = """
query source($urn: String!) {
  entity(urn: $urn) {
    ... on Incident {
      source {
        type
        source {
          urn type
          ... on Assertion { info { type datasetAssertion { datasetUrn } } }
        }
      }
    }
  }
}
"""

INCIDENTS = """
query incidents($urn: String!, $state: IncidentState) {
  dataset(urn: $urn) {
    incidents(state: $state, start: 0, count: 20) {
      total
      incidents {
        urn incidentType title description priority startedAt
        status { state message }
        source { type source { urn } }
        assignees { ... on CorpUser { urn } ... on CorpGroup { urn } }
        activity { kind message }
      }
    }
  }
}
"""
