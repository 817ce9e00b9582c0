"""What the web UI shows of assertions: a check's own page (what it checks, its runs, the
incidents it raised), and the parts of other pages that read them."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from dataflare.assertions import reading
from dataflare.core.errors import NotFound
from dataflare.core.urns import entity_type_of
from dataflare.web.handling import Call

NO_SUCH_ASSERTION = (
    "There is no assertion '{urn}' here: it was never sent to Dataflare, or it was mistyped."
)


def assertion_page(call: Call) -> Response:
    urn = call.request.path_params["urn"]
    found = None
    if entity_type_of(urn) == "assertion":
        found = reading.with_runs(
            call.session, urn, reading.RUNS_ON_PAGE, reading.INCIDENTS_ON_PAGE
        )
    if found is None:
        raise NotFound(NO_SUCH_ASSERTION.format(urn=urn[:300]))
    context: dict[str, Any] = {"found": found, "runs_limit": reading.RUNS_ON_PAGE}
    return call.render("assertion.html", context)


def incident_check(call: Call, source_urn: str | None) -> dict[str, Any]:
    """The incident page's Check section: the assertion that raised the incident, with its
    newest runs (or, named but never ingested, said so); nothing when no assertion raised it."""
    if not source_urn or entity_type_of(source_urn) != "assertion":
        return {}
    found = reading.with_runs(call.session, source_urn, reading.RUNS_ON_INCIDENT)
    return {"check": found, "check_urn": source_urn, "check_runs": reading.RUNS_ON_INCIDENT}
