"""Generated queries and mutations, as the admin, against a seeded catalog: whatever the
document, the server refuses it or answers it, and never fails. A bounded, derandomized run (the
same documents every time); `make fuzz` sends many more through a real server."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, example, given, settings
from starlette.testclient import TestClient

from tests.conftest import ADMIN_TOKEN
from tests.fuzz.documents import Request, graphql_requests
from tests.fuzz.seed import INCIDENTS, seed
from tests.fuzz.tally import Tally
from tests.graphql.documents import CHART, KAFKA, RAISE

EXAMPLES = 200  # per database: about 5 s on SQLite, 8 s on PostgreSQL
HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}

# Rows that exist, read in depth: every list and link of an asset and an incident.
DEEP_READ = Request(
    """
query deep($asset: String!, $incident: String!) {
  dataset(urn: $asset) {
    urn name exists platform { name }
    health { type status causes activeIncidentHealthDetails { latestIncidentUrn count } }
    incidents(count: 100000) { total incidents { urn title assignees { __typename } } }
    upstream: lineage(input: { direction: UPSTREAM, count: 5 }) { total }
    downstream: lineage(input: { direction: DOWNSTREAM }) { total }
  }
  entity(urn: $incident) {
    ... on Incident { urn entities { urn } activity { kind newValue } status { state } }
  }
}
""",
    {"asset": KAFKA, "incident": INCIDENTS[1]},
)
RAISE_ON_SEEDED = Request(RAISE, {"input": {"type": "OPERATIONAL", "resourceUrns": [KAFKA, CHART]}})


def test_generated_documents_never_fail_the_server(client: TestClient) -> None:
    known = seed(client)
    tally = Tally()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(graphql_requests(known))
    @example(DEEP_READ)
    @example(RAISE_ON_SEEDED)
    def send(request: Request) -> None:
        response = client.post("/api/graphql", content=request.body(), headers=HEADERS)
        failure = tally.record(request, response.status_code, response.content)
        assert failure is None, str(failure)

    send()
    print(tally.summary())
    # The seeded rows were reached, and documents got past validation into the resolvers.
    assert tally.answered_without_errors > EXAMPLES // 10, tally.summary()
