"""ML models, model groups, features and feature tables: ingested with their properties, owners
and lineage, raised on, read, searched, and shown in the web UI like any other asset."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from dataflare.db.database import Database
from tests.catalog.documents import SEARCH
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import AUTH, dataset, ingest, mcp, ownership
from tests.web.conftest import editor  # noqa: F401 (a fixture)

MODEL = "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn,PROD)"
GROUP = "urn:li:mlModelGroup:(urn:li:dataPlatform:sagemaker,churn-models,PROD)"
FEATURE = "urn:li:mlFeature:(users,age_days)"
TABLE = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,user_features)"
USERS = dataset("snowflake", "users")
TRAIN = "urn:li:dataJob:(urn:li:dataFlow:(airflow,ml,prod),train_churn)"
SCORE = "urn:li:dataJob:(urn:li:dataFlow:(airflow,ml,prod),score_churn)"
JDOE = "urn:li:corpuser:jdoe"

MODEL_QUERY = """
query m($urn: String!) {
  mlModel(urn: $urn) {
    urn type name platform { name } exists
    properties { name description }
    ownership { owners { owner { ... on CorpUser { urn } } } }
    health { type status message }
    incidents(state: ACTIVE) { total incidents { title entities { urn type } } }
    upstream: lineage(input: {direction: UPSTREAM}) { relationships { type entity { urn type } } }
    downstream: lineage(input: {direction: DOWNSTREAM}) { relationships { entity { urn } } }
  }
}
"""
OTHERS = f"""
query o {{
  mlModelGroup(urn: "{GROUP}") {{ type name properties {{ name description }} }}
  mlFeature(urn: "{FEATURE}") {{ type name platform {{ name }} properties {{ description }} }}
  mlFeatureTable(urn: "{TABLE}") {{ type name platform {{ name }} }}
}}
"""
RELATED = """
query r($urn: String!, $types: [String!]!, $direction: RelationshipDirection!) {
  entity(urn: $urn) {
    ... on MLModel { relationships(input: {types: $types, direction: $direction}) { ...page } }
    ... on MLFeature { relationships(input: {types: $types, direction: $direction}) { ...page } }
    ... on MLFeatureTable { relationships(input: {types: $types, direction: $direction}) {
      ...page } }
  }
}
fragment page on EntityRelationshipsResult { relationships { type entity { urn } } }
"""


@pytest.fixture
def ml(client: TestClient) -> None:
    model = {
        "name": "Churn model",
        "description": "Who leaves next month.",
        "trainingJobs": [TRAIN],
        "downstreamJobs": [SCORE],
        "mlFeatures": [FEATURE],
        "groups": [GROUP],
    }
    ingest(
        client,
        mcp(MODEL, "mlModelProperties", model),
        mcp(GROUP, "mlModelGroupProperties", {"name": "Churn models", "description": "All."}),
        mcp(
            FEATURE,
            "mlFeatureProperties",
            {"description": "Days since sign-up.", "sources": [USERS]},
        ),
        mcp(
            TABLE, "mlFeatureTableProperties", {"description": "Per user.", "mlFeatures": [FEATURE]}
        ),
        ownership(MODEL, JDOE),
    )


def _related(gql: GraphQL, urn: str, types: list[str], direction: str) -> list[tuple[str, str]]:
    found = gql.data(RELATED, {"urn": urn, "types": types, "direction": direction})["entity"]
    return [(r["type"], r["entity"]["urn"]) for r in found["relationships"]["relationships"]]


@pytest.mark.usefixtures("ml")
def test_an_ml_model_is_ingested_raised_on_and_read(gql: GraphQL) -> None:
    gql.data(RAISE, {"input": {"type": "OPERATIONAL", "resourceUrn": MODEL, "title": "Drift"}})

    model = gql.data(MODEL_QUERY, {"urn": MODEL})["mlModel"]

    assert (model["type"], model["name"], model["platform"]["name"]) == (
        "MLMODEL",
        "Churn model",
        "sagemaker",
    )
    assert model["exists"] is True
    assert model["properties"] == {"name": "Churn model", "description": "Who leaves next month."}
    assert model["ownership"]["owners"] == [{"owner": {"urn": JDOE}}]
    assert model["health"][0] == {
        "type": "INCIDENTS",
        "status": "FAIL",
        "message": "1 active incident",
    }
    [incident] = model["incidents"]["incidents"]
    assert incident == {"title": "Drift", "entities": [{"urn": MODEL, "type": "MLMODEL"}]}
    upstream = {
        (r["entity"]["urn"], r["entity"]["type"]) for r in model["upstream"]["relationships"]
    }
    assert upstream == {(TRAIN, "DATA_JOB"), (FEATURE, "MLFEATURE")}
    assert [r["entity"]["urn"] for r in model["downstream"]["relationships"]] == [SCORE]


@pytest.mark.usefixtures("ml")
def test_the_other_ml_kinds_read_with_their_properties(gql: GraphQL) -> None:
    found = gql.data(OTHERS)

    assert found["mlModelGroup"] == {
        "type": "MLMODEL_GROUP",
        "name": "Churn models",
        "properties": {"name": "Churn models", "description": "All."},
    }
    assert found["mlFeature"] == {
        "type": "MLFEATURE",
        "name": "age_days",
        "platform": {"name": "users"},  # a feature's namespace stands in for its platform
        "properties": {"description": "Days since sign-up."},
    }
    assert found["mlFeatureTable"] == {
        "type": "MLFEATURE_TABLE",
        "name": "user_features",
        "platform": {"name": "feast"},
    }


@pytest.mark.usefixtures("ml")
def test_ml_relationships_carry_datahubs_names(gql: GraphQL) -> None:
    assert _related(gql, FEATURE, ["DerivedFrom"], "OUTGOING") == [("DerivedFrom", USERS)]
    assert _related(gql, TABLE, ["Contains"], "OUTGOING") == [("Contains", FEATURE)]
    assert sorted(_related(gql, MODEL, ["TrainedBy", "UsedBy", "Consumes"], "OUTGOING")) == [
        ("Consumes", FEATURE),
        ("TrainedBy", TRAIN),
        ("UsedBy", SCORE),
    ]


@pytest.mark.usefixtures("ml")
def test_ml_assets_are_searched_by_type_and_health(gql: GraphQL) -> None:
    gql.data(RAISE, {"input": {"type": "OPERATIONAL", "resourceUrn": FEATURE}})

    def search(**given: Any) -> list[str]:
        page = gql.data(SEARCH, {"input": {"query": "*", **given}})["searchAcrossEntities"]
        return sorted(r["entity"]["urn"] for r in page["searchResults"])

    assert search(types=["MLMODEL", "MLFEATURE_TABLE"]) == sorted([MODEL, TABLE])
    broken = [{"and": [{"field": "hasActiveIncidents", "values": ["true"]}]}]
    assert search(orFilters=broken) == [FEATURE]
    assert search(types=["MLFEATURE"], orFilters=broken) == [FEATURE]


@pytest.mark.usefixtures("ml")
def test_gms_answers_an_ml_assets_key_and_properties(client: TestClient) -> None:
    def aspect(name: str) -> Any:
        path = f"/aspects/{quote(MODEL, safe='')}?aspect={name}&version=0"
        return client.get(path, headers=AUTH)

    key = aspect("mlModelKey")
    assert key.status_code == 200
    assert key.json()["aspect"]["com.linkedin.metadata.key.MLModelKey"] == {
        "platform": "urn:li:dataPlatform:sagemaker",
        "name": "churn",
        "origin": "PROD",
    }
    kept = aspect("mlModelProperties").json()["aspect"]
    assert kept["com.linkedin.ml.metadata.MLModelProperties"]["name"] == "Churn model"


def test_a_malformed_ml_urn_is_a_400_naming_the_shape(gql: GraphQL) -> None:
    error = gql.error(
        RAISE, {"input": {"type": "OPERATIONAL", "resourceUrn": "urn:li:mlFeature:(x)"}}
    )

    assert "urn:li:mlFeature:(<featureNamespace>,<name>)" in error["message"]
    assert error["extensions"]["code"] == 400


@pytest.mark.usefixtures("ml")
def test_the_web_ui_shows_an_ml_model_with_its_incident(
    client: TestClient,
    gql: GraphQL,
    db: Database,
    editor: str,  # noqa: F811
) -> None:
    gql.data(RAISE, {"input": {"type": "OPERATIONAL", "resourceUrn": MODEL, "title": "Drift"}})

    page = client.get("/asset/" + quote(MODEL, safe=""))

    assert page.status_code == 200
    assert "Churn model" in page.text
    assert "ML model" in page.text
    assert "Drift" in page.text
    found = client.get("/search", params={"q": "churn"})
    assert found.status_code == 200 and "Churn model" in found.text
