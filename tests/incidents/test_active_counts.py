"""Active incidents by priority and platform, as the metrics read them: each active incident
once, under its first asset's platform; resolved ones not at all; platforms past the cap
added up as "other"."""

from __future__ import annotations

from dataflare.db.database import Database
from dataflare.incidents.active_counts import MAX_PLATFORMS, active_by_priority_and_platform
from dataflare.incidents.service import RaiseRequest, raise_incident, update_status

ACTOR = "urn:li:corpuser:datahub"


def dataset(platform: str, name: str = "t") -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:{platform},{name},PROD)"


def test_each_active_incident_counted_once_under_its_first_asset(db: Database) -> None:
    with db.session(write=True) as session:
        raise_incident(
            session,
            ACTOR,
            RaiseRequest("SQL", resource_urns=[dataset("hive"), dataset("kafka")], priority="HIGH"),
        )
        raise_incident(session, ACTOR, RaiseRequest("SQL", resource_urn=dataset("hive", "u")))
        resolved = raise_incident(session, ACTOR, RaiseRequest("SQL", resource_urn=dataset("s3")))
        update_status(session, ACTOR, resolved, "RESOLVED")

    with db.session() as session:
        counts = active_by_priority_and_platform(session)

    assert counts == {("HIGH", "hive"): 1, ("NONE", "hive"): 1}


def test_platforms_past_the_cap_are_other(db: Database) -> None:
    platforms = [f"p{i:03d}" for i in range(MAX_PLATFORMS + 5)]
    with db.session(write=True) as session:
        for rank, platform in enumerate(platforms):
            # the first ones have the most incidents, so they are the ones named
            for n in range(2 if rank < MAX_PLATFORMS else 1):
                raise_incident(
                    session, ACTOR, RaiseRequest("SQL", resource_urn=dataset(platform, f"t{n}"))
                )

    with db.session() as session:
        counts = active_by_priority_and_platform(session)

    assert counts[("NONE", "other")] == 5
    assert len(counts) == MAX_PLATFORMS + 1
    assert sum(counts.values()) == 2 * MAX_PLATFORMS + 5
