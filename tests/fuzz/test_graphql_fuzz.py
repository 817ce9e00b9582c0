"""Generated queries and mutations, as the admin, against a seeded catalog: whatever the
document, the server refuses it or answers it, and never fails. A bounded, derandomized run (the
same documents every time); `make fuzz` sends many more through a real server."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

from tests.conftest import ADMIN_TOKEN
from tests.fuzz.documents import Request, graphql_requests
from tests.fuzz.examples import EVERY_ROW, ON_SEEDED_ROWS
from tests.fuzz.seed import seed
from tests.fuzz.tally import Tally

EXAMPLES = 200  # per database: about 10 s each on an idle machine
HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}


def test_generated_documents_never_fail_the_server(client: TestClient) -> None:
    known = seed(client)
    tally = Tally()

    def send(request: Request) -> bytes:
        response = client.post("/api/graphql", content=request.body(), headers=HEADERS)
        failure = tally.record(request, response.status_code, response.content)
        assert failure is None, str(failure)
        content: bytes = response.content
        return content

    # Every seeded row, read and written, before the generated documents change them.
    for request in [EVERY_ROW, *ON_SEEDED_ROWS]:
        assert b'"errors"' not in send(request), request

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(graphql_requests(known))
    def send_generated(request: Request) -> None:
        send(request)

    send_generated()
    print(tally.summary())
    # Documents got past validation into the resolvers, not only into graphql-core's refusals.
    assert tally.answered_without_errors > EXAMPLES // 10, tally.summary()
