"""GMS's reads over HTTP: /aspects/{urn}, /entitiesV2 (one and the batch form), /relationships
and /openapi/relationships/v1/, their shapes, their refusals, and the /api/gms prefix."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from tests.conftest import GraphQL
from tests.graphql.documents import RAISE
from tests.ingest.mcps import AUTH, DELETE, dataset, ingest, mcp, ownership, properties, upstreams

ORDERS = dataset("snowflake", "orders")
EVENTS = dataset("kafka", "events")
FLOW = "urn:li:dataFlow:(airflow,daily,prod)"
JOB = f"urn:li:dataJob:({FLOW},load)"
CHART = "urn:li:chart:(looker,look.1)"
BOARD = "urn:li:dashboard:(looker,dashboards.1)"
JDOE = "urn:li:corpuser:jdoe"
EXISTS = """
query e($urn: String!) {
  dataset(urn: $urn) { exists status { removed } properties { name } incidents { total } }
}
"""


def get(client: TestClient, path: str, status: int = 200, **headers: str) -> Any:
    response = client.get(path, headers=headers or AUTH)
    assert response.status_code == status, response.text
    return response.json()


def aspect_path(urn: str, aspect: str, version: str = "0") -> str:
    return f"/aspects/{quote(urn, safe='')}?aspect={aspect}&version={version}"


@pytest.fixture
def catalog(client: TestClient) -> None:
    ingest(
        client,
        properties(ORDERS, "orders", "The orders."),
        ownership(ORDERS, JDOE),
        upstreams(ORDERS, EVENTS),
        mcp(JOB, "dataJobInputOutput", {"inputDatasets": [EVENTS], "outputDatasets": [ORDERS]}),
        mcp(CHART, "chartInfo", {"title": "Look", "description": "", "inputs": [ORDERS]}),
        mcp(BOARD, "dashboardInfo", {"title": "Board", "description": "", "charts": [CHART]}),
    )


@pytest.mark.usefixtures("catalog")
def test_an_aspect_is_answered_as_sent_under_its_class_name(client: TestClient) -> None:
    body = get(client, aspect_path(ORDERS, "datasetProperties"))
    assert body == {
        "urn": ORDERS,
        "version": 0,
        "aspect": {
            "com.linkedin.dataset.DatasetProperties": {
                "name": "orders",
                "customProperties": {},
                "description": "The orders.",
            }
        },
    }
    key = get(client, aspect_path(JOB, "dataJobKey"))["aspect"]
    assert key == {"com.linkedin.metadata.key.DataJobKey": {"flow": FLOW, "jobId": "load"}}


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    ("urn", "aspect", "version"),
    [
        (ORDERS, "schemaMetadata", "0"),  # not kept
        (ORDERS, "ownership", "1"),  # only the latest version is kept
        (dataset("hive", "never"), "datasetKey", "0"),  # an entity never seen
        ("urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn,PROD)", "mlModelKey", "0"),
    ],
)
def test_what_is_not_kept_is_a_404(client: TestClient, urn: str, aspect: str, version: str) -> None:
    body = get(client, aspect_path(urn, aspect, version), 404)
    assert body["status"] == 404
    assert urn in body["message"]


@pytest.mark.parametrize(
    ("path", "named"),
    [
        (f"/aspects/{quote(ORDERS, safe='')}?version=0", "aspect:"),
        (aspect_path(ORDERS, "ownership", "latest"), "version:"),
        (aspect_path("not-a-urn", "ownership"), "Malformed URN 'not-a-urn'"),
        (aspect_path("urn:li:dataset:(nope)", "ownership"), "its key does not fit dataset"),
        ("/relationships?urn=x&direction=UP&types=List(OwnedBy)", "direction:"),
        (f"/relationships?urn={quote(ORDERS)}&direction=INCOMING", "types:"),
        (f"/relationships?urn={quote(ORDERS)}&direction=INCOMING&types=X&start=-1", "start:"),
        (f"/openapi/relationships/v1/?urn={quote(ORDERS)}&direction=IN", "direction:"),
        ("/entitiesV2?ids=List(urn%3Ali%3Adataset%3A%28x", "ids: a Rest.li list must end"),
        ("/entitiesV2", "ids:"),
    ],
)
def test_bad_input_is_a_400_naming_what_is_wrong(client: TestClient, path: str, named: str) -> None:
    body = get(client, path, 400)
    assert body["status"] == 400
    assert named in body["message"]


@pytest.mark.parametrize(
    "path",
    [
        aspect_path(ORDERS, "ownership"),
        f"/entitiesV2/{quote(ORDERS, safe='')}",
        f"/relationships?urn={quote(ORDERS)}&direction=INCOMING&types=List(OwnedBy)",
    ],
)
def test_reads_need_a_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401


@pytest.mark.usefixtures("catalog")
def test_an_entity_is_its_key_and_kept_aspects_one_or_many_at_once(client: TestClient) -> None:
    one = get(client, f"/entitiesV2/{quote(ORDERS, safe='')}?aspects=List(ownership)")
    assert one["urn"] == ORDERS and one["entityName"] == "dataset"
    assert sorted(one["aspects"]) == ["datasetKey", "ownership"]
    owned = one["aspects"]["ownership"]
    assert owned["name"] == "ownership" and owned["type"] == "VERSIONED" and owned["version"] == 0
    assert owned["value"] == {"owners": [{"owner": JDOE, "type": "TECHNICAL_OWNER"}]}
    assert owned["created"]["actor"] == "urn:li:corpuser:datahub"

    # Rest.li's batch form: the list's URNs percent-encoded inside List(...)
    ids = ",".join(quote(u, safe="") for u in (ORDERS, EVENTS))
    batch = get(client, f"/entitiesV2?ids=List({ids})&aspects=List(datasetProperties)")
    assert sorted(batch["results"]) == sorted([ORDERS, EVENTS])
    assert sorted(batch["results"][ORDERS]["aspects"]) == ["datasetKey", "datasetProperties"]
    assert sorted(batch["results"][EVENTS]["aspects"]) == ["datasetKey"]


def test_a_hard_deleted_asset_no_longer_exists_until_named_again(
    client: TestClient, gql: GraphQL
) -> None:
    ingest(client, properties(ORDERS, "orders"), ownership(ORDERS, JDOE))
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": ORDERS}})
    assert client.post(DELETE, json={"urn": ORDERS}, headers=AUTH).status_code == 200

    # What the SDK's exists() asks: the key aspect, now a 404 as in DataHub.
    get(client, aspect_path(ORDERS, "datasetKey"), 404)
    get(client, aspect_path(ORDERS, "ownership"), 404)
    aspects = get(client, f"/entitiesV2/{quote(ORDERS, safe='')}")["aspects"]
    assert sorted(aspects) == ["datasetKey"]  # what GMS answers of an entity it does not hold
    read = gql.data(EXISTS, {"urn": ORDERS})["dataset"]
    assert read["exists"] is False
    assert read["incidents"]["total"] == 1  # its incidents stay

    ingest(client, properties(ORDERS, "orders again"))
    assert get(client, aspect_path(ORDERS, "datasetKey"))["aspect"]
    assert get(client, aspect_path(ORDERS, "status"), 404)  # a new start: not removed
    read = gql.data(EXISTS, {"urn": ORDERS})["dataset"]
    assert (read["exists"], read["status"], read["properties"]["name"]) == (
        True,
        {"removed": False},
        "orders again",
    )


def test_a_soft_deleted_asset_still_exists(client: TestClient, gql: GraphQL) -> None:
    ingest(client, properties(ORDERS, "orders"), mcp(ORDERS, "status", {"removed": True}))

    assert get(client, aspect_path(ORDERS, "datasetKey"))["aspect"]
    assert get(client, aspect_path(ORDERS, "status"))["aspect"] == {
        "com.linkedin.common.Status": {"removed": True}
    }
    assert gql.data(EXISTS, {"urn": ORDERS})["dataset"]["exists"] is True


def related(client: TestClient, urn: str, direction: str, *types: str) -> list[list[str]]:
    path = f"/relationships?urn={quote(urn)}&direction={direction}&types=List({','.join(types)})"
    body = get(client, path)
    assert body["count"] == len(body["relationships"]) and body["start"] == 0
    return [[r["entity"], r["type"]] for r in body["relationships"]]


@pytest.mark.usefixtures("catalog")
def test_lineage_and_ownership_are_named_as_in_datahubs_graph(client: TestClient) -> None:
    lineage = ["DownstreamOf", "Consumes", "Produces", "Contains"]
    assert related(client, JOB, "OUTGOING", *lineage) == [
        [EVENTS, "Consumes"],
        [ORDERS, "Produces"],
    ]
    assert related(client, ORDERS, "OUTGOING", *lineage, "OwnedBy") == [
        [EVENTS, "DownstreamOf"],
        [JDOE, "OwnedBy"],
    ]
    assert related(client, ORDERS, "INCOMING", *lineage) == [
        [CHART, "Consumes"],
        [JOB, "Produces"],
    ]
    assert related(client, BOARD, "OUTGOING", *lineage) == [[CHART, "Contains"]]
    assert related(client, JDOE, "INCOMING", "OwnedBy") == [[ORDERS, "OwnedBy"]]
    assert related(client, ORDERS, "OUTGOING", "NoSuchType") == []


@pytest.mark.usefixtures("catalog")
def test_incidents_are_on_their_assets_and_pages_follow_one_another(
    client: TestClient, gql: GraphQL
) -> None:
    raised = [
        gql.data(RAISE, {"input": {"type": "OPERATIONAL", "resourceUrn": ORDERS}})["raiseIncident"]
        for _ in range(3)
    ]
    path = f"/openapi/relationships/v1/?urn={quote(ORDERS)}&direction=INCOMING"
    types = "&relationshipTypes=IncidentOn&relationshipTypes=Produces"
    first = get(client, f"{path}{types}&count=2")
    second = get(client, f"{path}{types}&count=2&start=2")
    assert (first["total"], first["count"], second["count"]) == (4, 2, 2)
    found = [(e["urn"], e["relationshipType"]) for e in first["entities"] + second["entities"]]
    assert sorted(found) == sorted([(JOB, "Produces"), *((i, "IncidentOn") for i in raised)])
    assert related(client, raised[0], "OUTGOING", "IncidentOn") == [[ORDERS, "IncidentOn"]]


@pytest.mark.usefixtures("catalog")
def test_every_api_path_is_also_under_api_gms(client: TestClient, gql: GraphQL) -> None:
    assert get(client, "/api/gms" + aspect_path(ORDERS, "ownership"))["urn"] == ORDERS
    assert get(client, "/api/gms/config", **{})["noCode"] == "true"
    query = "{ dataset(urn: $urn) { urn } }".replace("$urn", f'"{ORDERS}"')
    answer = gql.data(query, path="/api/gms/api/graphql")
    assert answer == {"dataset": {"urn": ORDERS}}
    response = client.post(
        "/api/gms/aspects?action=ingestProposal",
        json={"proposal": properties(EVENTS, "events")},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    assert client.get("/api/gms/login").status_code == 404  # pages are not under it
