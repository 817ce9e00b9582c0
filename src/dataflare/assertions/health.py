"""An asset's health as its assertions see it (DataHub's ASSERTIONS health): FAIL when the
latest result of any of them is a failure, WARN when one could not run (ERROR), PASS when all
pass; none at all while no assertion on it has a result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, false, select
from sqlalchemy.orm import Session

from dataflare.assertions.info import ASSERTION_TYPES
from dataflare.assertions.models import ASSERTIONS
from dataflare.assertions.queries import AssertionView
from dataflare.catalog.models import Asset
from dataflare.incidents.health import HEALTHY, IncidentHealth, health_of
from dataflare.incidents.models import Incident

DECIDED = ("SUCCESS", "FAILURE", "ERROR")


@dataclass(frozen=True)
class ByType:
    type: str
    status: str
    total: int
    status_count: int
    last_status_result_at: int | None


@dataclass(frozen=True)
class AssertionHealth:
    status: str
    message: str
    causes: list[str]  # the URNs of the failing (or erroring) assertions
    reported_at: int | None
    by_type: list[ByType]


def assertion_health(assertions: Sequence[AssertionView]) -> AssertionHealth | None:
    decided = [a for a in assertions if a.last_result in DECIDED]
    if not decided:
        return None
    total = len(decided)
    failing = [a for a in decided if a.last_result == "FAILURE"]
    erroring = [a for a in decided if a.last_result == "ERROR"]
    if failing:
        status, message, causes = (
            "FAIL",
            f"{len(failing)} of {total} assertions are failing",
            failing,
        )
    elif erroring:
        status = "WARN"
        message, causes = f"{len(erroring)} of {total} assertions are erroring", erroring
    else:
        status, message, causes = "PASS", "All assertions are passing", []
    return AssertionHealth(
        status,
        message,
        [a.urn for a in causes],
        _latest(causes or decided),
        _by_type(decided),
    )


def _by_type(decided: Sequence[AssertionView]) -> list[ByType]:
    found = []
    for kind in ASSERTION_TYPES:
        of_kind = [a for a in decided if a.assertion_type == kind]
        if not of_kind:
            continue
        failing = [a for a in of_kind if a.last_result == "FAILURE"]
        erroring = [a for a in of_kind if a.last_result == "ERROR"]
        shown = failing or erroring or of_kind
        status = "FAIL" if failing or erroring else "PASS"
        found.append(ByType(kind, status, len(of_kind), len(shown), _latest(shown)))
    return found


def _latest(assertions: Sequence[AssertionView]) -> int | None:
    times = [a.last_run_at for a in assertions if a.last_run_at is not None]
    return max(times) if times else None


@dataclass(frozen=True)
class AssetHealth:
    """Both signals of an asset's health."""

    incidents: IncidentHealth
    assertions: AssertionHealth | None


NO_SIGNAL = AssetHealth(HEALTHY, None)


def health_by_urn(session: Session, asset_urns: Sequence[str]) -> dict[str, AssetHealth]:
    """The health of these assets, by URN, in one statement: each asset's incident summary
    with the latest result of each of its assertions (an asset not registered is left out)."""
    a = ASSERTIONS.c
    rows = session.execute(
        select(
            Asset.urn,
            Asset.active_incidents,
            Asset.incidents_changed_at,
            Incident.urn,
            Incident.title,
            a.urn,
            a.assertion_type,
            a.last_result,
            a.last_run_at,
        )
        .outerjoin(Incident, Incident.id == Asset.latest_incident_id)
        .outerjoin(
            ASSERTIONS,
            and_(a.asset_id == Asset.id, a.removed == false(), a.last_result.is_not(None)),
        )
        .where(Asset.urn.in_(asset_urns))
    )
    incidents: dict[str, IncidentHealth] = {}
    checks: dict[str, list[AssertionView]] = {}
    for urn, active, changed, latest, title, check, kind, result, run_at in rows:
        incidents[urn] = health_of(active, changed, latest, title)
        found = checks.setdefault(urn, [])
        if check is not None:
            found.append(
                AssertionView(None, check, kind, None, None, urn, None, False, result, run_at)
            )
    return {
        urn: AssetHealth(health, assertion_health(checks[urn])) for urn, health in incidents.items()
    }
