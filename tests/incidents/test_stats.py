"""incidentStats on a fixed timeline, every figure computed by hand (docs/insights.md), on both
databases; and the facts each incident keeps for them, checked against its own timeline.

The timeline, in hours from T0 (2026-01-01 00:00 UTC); K is a kafka topic owned by ann, S a
snowflake table owned by bob:

    incident  assets  type       priority  raised  acknowledged  resolved  state at T0+48h
    A         K       FRESHNESS  HIGH        +1      +2            +5      resolved
    B         S       VOLUME     CRITICAL   +10      +10.5         +34     resolved
    C         S       VOLUME     -          +26      -             -       active
    D         K, S    SQL        LOW        +30      +33           +40     resolved (reopened once)
    E         K       SQL        MEDIUM     -24      -             +3      resolved
    F         S       SQL        MEDIUM     -48      -             -       active
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from dataflare.core.clock import now_ms
from dataflare.db.database import Database
from dataflare.incidents.stats import incident_groups, incident_stats
from tests.conftest import GraphQL
from tests.graphql.documents import RAISE, UPDATE_STATUS
from tests.ingest.mcps import dataset, ingest, ownership

H = 3_600_000
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
K, S = dataset("kafka", "clicks"), dataset("snowflake", "shop.orders")
ANN, BOB = "urn:li:corpuser:ann", "urn:li:corpuser:bob"

STATS = """
query ($input: IncidentStatsInput!) {
  incidentStats(input: $input) {
    from to
    totals { ...F }
    groups { key figures { ...F } }
    buckets { start end raised resolved openAtEnd }
    noisiestAssets { urn raised }
  }
}
fragment F on IncidentFigures {
  raised resolved openAtEnd
  timeToAcknowledge { count median p90 exact }
  timeToResolve { count median p90 exact }
}
"""
FACTS = "SELECT acknowledged_at, resolved_at, reopen_count FROM incidents WHERE urn = :urn"
TIMELINE = """query ($urn: String!) { entity(urn: $urn) { ... on Incident {
  activity { time kind newValue } } } }"""


def _raise(gql: GraphQL, assets: list[str], type: str, priority: str | None) -> str:
    given: dict[str, Any] = {"type": type, "resourceUrns": assets, "title": type}
    if priority:
        given["priority"] = priority
    urn: str = gql.data(RAISE, {"input": given})["raiseIncident"]
    return urn


def _status(gql: GraphQL, urn: str, state: str) -> None:
    gql.data(UPDATE_STATUS, {"urn": urn, "input": {"state": state}})


def _backdate(
    db: Database, urn: str, raised: float, acked: float | None, done: float | None
) -> None:
    """Move an incident's times onto the fixed timeline (hours from T0)."""
    with db.session(write=True) as session:
        session.execute(
            text(
                "UPDATE incidents SET created_at = :c, acknowledged_at = :a, resolved_at = :r "
                "WHERE urn = :urn"
            ),
            {
                "urn": urn,
                "c": T0 + int(raised * H),
                "a": None if acked is None else T0 + int(acked * H),
                "r": None if done is None else T0 + int(done * H),
            },
        )
        _links_follow(session)


def _links_follow(session: Any) -> None:
    """Each asset link keeps its incident's times, as the changes write them."""
    times = "created_at, resolved_at, acknowledged_at"
    session.execute(
        text(
            f"UPDATE incident_assets SET ({times}) = (SELECT {times} FROM incidents "
            "WHERE incidents.id = incident_assets.incident_id)"
        )
    )


@pytest.fixture
def timeline(client: TestClient, gql: GraphQL, db: Database) -> None:
    ingest(client, ownership(K, ANN), ownership(S, BOB))
    a = _raise(gql, [K], "FRESHNESS", "HIGH")
    b = _raise(gql, [S], "VOLUME", "CRITICAL")
    _raise(gql, [S], "VOLUME", None)  # C
    d = _raise(gql, [K, S], "SQL", "LOW")
    e = _raise(gql, [K], "SQL", "MEDIUM")
    f = _raise(gql, [S], "SQL", "MEDIUM")
    for urn in (a, b, e):
        _status(gql, urn, "RESOLVED")
    for state in ("RESOLVED", "ACTIVE", "RESOLVED"):
        _status(gql, d, state)
    _backdate(db, a, 1, 2, 5)
    _backdate(db, b, 10, 10.5, 34)
    _backdate(db, d, 30, 33, 40)
    _backdate(db, e, -24, None, 3)
    _backdate(db, f, -48, None, None)
    with db.session(write=True) as session:  # C: raised at +26, never acknowledged
        session.execute(
            text(
                "UPDATE incidents SET created_at = :c "
                "WHERE resolved_at IS NULL AND priority IS NULL"
            ),
            {"c": T0 + 26 * H},
        )
        _links_follow(session)


def _stats(gql: GraphQL, **given: Any) -> Any:
    payload = {"from": T0, "to": T0 + 48 * H, **given}
    return gql.data(STATS, {"input": payload})["incidentStats"]


def _figures(
    raised: int,
    resolved: int,
    still_open: int,
    tta: tuple[int, float | None, float | None],
    ttr: tuple[int, float | None, float | None],
) -> dict[str, Any]:
    def durations(given: tuple[int, float | None, float | None]) -> dict[str, Any]:
        count, median, p90 = given
        hours = {"median": median, "p90": p90}
        exact = {k: None if v is None else int(v * H) for k, v in hours.items()}
        return {"count": count, **exact, "exact": True}  # a few incidents: the exact ranks

    return {
        "raised": raised,
        "resolved": resolved,
        "openAtEnd": still_open,
        "timeToAcknowledge": durations(tta),
        "timeToResolve": durations(ttr),
    }


def test_the_totals_match_the_hand_computed_figures(gql: GraphQL, timeline: None) -> None:
    stats = _stats(gql)

    assert (stats["from"], stats["to"]) == (T0, T0 + 48 * H)
    # raised A B C D; resolved A B D E; open C F; TTA of A B D; TTR of A B D E
    assert stats["totals"] == _figures(4, 4, 2, (3, 1, 3), (4, 10, 27))
    assert stats["noisiestAssets"] == [{"urn": S, "raised": 3}, {"urn": K, "raised": 2}]
    assert stats["groups"] == [] and stats["buckets"] == []


def test_a_soft_deleted_incident_counts_nowhere_until_restored(
    gql: GraphQL, db: Database, timeline: None
) -> None:
    with db.session() as session:  # C: the one raised without a priority
        c = session.execute(text("SELECT urn FROM incidents WHERE priority IS NULL")).scalar_one()
    soft_delete = (
        "mutation ($urns: [String!]!, $deleted: Boolean!) "
        "{ batchUpdateSoftDeleted(input: {urns: $urns, deleted: $deleted}) }"
    )

    gql.data(soft_delete, {"urns": [c], "deleted": True})
    without = _stats(gql, interval="DAY")
    assert without["totals"] == _figures(3, 4, 1, (3, 1, 3), (4, 10, 27))
    assert without["noisiestAssets"] == [{"urn": K, "raised": 2}, {"urn": S, "raised": 2}]
    assert [b["raised"] for b in without["buckets"]] == [2, 1]  # C was raised on day 2

    gql.data(soft_delete, {"urns": [c], "deleted": False})
    assert _stats(gql)["totals"] == _figures(4, 4, 2, (3, 1, 3), (4, 10, 27))


def test_daily_buckets_count_raised_resolved_and_open(gql: GraphQL, timeline: None) -> None:
    stats = _stats(gql, interval="DAY")

    assert stats["buckets"] == [
        {"start": T0, "end": T0 + 24 * H, "raised": 2, "resolved": 2, "openAtEnd": 2},
        {"start": T0 + 24 * H, "end": T0 + 48 * H, "raised": 2, "resolved": 2, "openAtEnd": 2},
    ]
    weekly = _stats(gql, interval="WEEK")["buckets"]
    assert weekly == [{"start": T0, "end": T0 + 48 * H, "raised": 4, "resolved": 4, "openAtEnd": 2}]


def test_groups_by_platform_owner_and_priority(gql: GraphQL, timeline: None) -> None:
    kafka = _figures(2, 3, 0, (2, 1, 3), (3, 10, 27))  # A D raised; A D E resolved
    snowflake = _figures(3, 2, 2, (2, 0.5, 3), (2, 10, 24))  # B C D raised; B D resolved

    by_platform = {g["key"]: g["figures"] for g in _stats(gql, groupBy="PLATFORM")["groups"]}
    assert by_platform == {"kafka": kafka, "snowflake": snowflake}
    by_owner = {g["key"]: g["figures"] for g in _stats(gql, groupBy="OWNER")["groups"]}
    assert by_owner == {ANN: kafka, BOB: snowflake}

    by_priority = {
        g["key"]: g["figures"]["raised"] for g in _stats(gql, groupBy="PRIORITY")["groups"]
    }
    assert by_priority == {"HIGH": 1, "CRITICAL": 1, "NONE": 1, "LOW": 1, "MEDIUM": 0}
    order = [g["key"] for g in _stats(gql, groupBy="TYPE")["groups"]]
    assert order == ["VOLUME", "FRESHNESS", "SQL"]  # most raised first, then by name


def test_filters_narrow_every_figure(gql: GraphQL, timeline: None) -> None:
    kafka = _stats(gql, filters={"platforms": ["kafka"]})
    assert kafka["totals"] == _figures(2, 3, 0, (2, 1, 3), (3, 10, 27))
    volume = _stats(gql, filters={"types": ["VOLUME"], "owners": [BOB]})
    assert volume["totals"] == _figures(2, 1, 1, (1, 0.5, 0.5), (1, 24, 24))
    nothing = _stats(gql, filters={"assets": ["urn:li:chart:(looker,none)"]})
    assert nothing["totals"] == _figures(0, 0, 0, (0, None, None), (0, None, None))
    assert nothing["noisiestAssets"] == []


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"from": T0, "to": T0}, "to must be after from"),
        ({"from": T0, "to": T0 + 2_000 * 24 * H, "interval": "DAY"}, "more than 1000 days"),
        ({"from": T0, "to": T0 + H, "groupBy": "COLOUR"}, "COLOUR"),
    ],
)
def test_bad_periods_say_what_is_wrong(gql: GraphQL, given: dict[str, Any], named: str) -> None:
    error = gql.error(STATS, {"input": given})
    assert named in error["message"]
    assert error["extensions"]["code"] == 400


def _facts(db: Database, urn: str) -> tuple[Any, ...]:
    with db.session() as session:
        return tuple(session.execute(text(FACTS), {"urn": urn}).one())


def test_each_incident_keeps_its_facts_from_its_own_timeline(gql: GraphQL, db: Database) -> None:
    urn = _raise(gql, [K], "SQL", None)
    assert _facts(db, urn) == (None, None, 0)

    gql.data(
        "mutation ($urn: String!) { updateIncident(urn: $urn, input: {assigneeUrns: "
        '["urn:li:corpuser:ann"]}) }',
        {"urn": urn},
    )
    for state in ("RESOLVED", "ACTIVE"):
        _status(gql, urn, state)
    reopened = _facts(db, urn)
    _status(gql, urn, "RESOLVED")

    entries = gql.data(TIMELINE, {"urn": urn})["entity"]["activity"]
    times: dict[str, list[tuple[int, str]]] = {e["kind"]: [] for e in entries}
    for e in entries:
        times[e["kind"]].append((e["time"], e["newValue"]))
    assigned_at = times["ASSIGNEES"][0][0]
    last_resolved_at = times["STATE"][-1][0]
    assert reopened == (assigned_at, None, 1)
    assert _facts(db, urn) == (assigned_at, last_resolved_at, 1)


def test_raised_assigned_or_past_triage_is_acknowledged_at_once(gql: GraphQL, db: Database) -> None:
    assigned = gql.data(
        RAISE,
        {"input": {"type": "SQL", "resourceUrn": K, "assigneeUrns": [ANN]}},
    )["raiseIncident"]
    staged = gql.data(
        RAISE,
        {
            "input": {
                "type": "SQL",
                "resourceUrn": K,
                "status": {"state": "ACTIVE", "stage": "INVESTIGATION"},
            }
        },
    )["raiseIncident"]
    triage = gql.data(
        RAISE,
        {
            "input": {
                "type": "SQL",
                "resourceUrn": K,
                "status": {"state": "ACTIVE", "stage": "TRIAGE"},
            }
        },
    )["raiseIncident"]

    with db.session() as session:
        rows: dict[str, int | None] = dict(
            session.execute(
                text(
                    "SELECT urn, acknowledged_at - created_at FROM incidents "
                    "WHERE urn IN (:a, :b, :c)"
                ),
                {"a": assigned, "b": staged, "c": triage},
            ).all()
        )
    assert rows == {assigned: 0, staged: 0, triage: None}


def test_an_incident_on_two_assets_of_one_group_counts_once_in_it(
    client: TestClient, gql: GraphQL
) -> None:
    views = dataset("kafka", "views")
    ingest(client, ownership(K, ANN), ownership(views, ANN, BOB))
    _raise(gql, [K, views], "SQL", "LOW")
    now = now_ms()

    def raised_per_group(group_by: str) -> dict[str, int]:
        stats = _stats(gql, **{"from": now - H, "to": now + H, "groupBy": group_by})
        return {g["key"]: g["figures"]["raised"] for g in stats["groups"]}

    assert raised_per_group("PLATFORM") == {"kafka": 1}
    assert raised_per_group("OWNER") == {ANN: 1, BOB: 1}
    assert raised_per_group("ASSET") == {K: 1, views: 1}


def test_only_the_parts_asked_for_are_read(gql: GraphQL, db: Database, timeline: None) -> None:
    with db.session() as session:
        days = incident_stats(session, T0, T0 + 48 * H, "TYPE", "DAY", parts=frozenset({"buckets"}))
    assert [b.raised for b in days.buckets] == [2, 2]
    assert (days.totals.raised, days.groups, days.noisiest) == (0, {}, [])

    # GraphQL reads what the selection names, through fragments at any level.
    document = """query ($input: IncidentStatsInput!) { incidentStats(input: $input) {
      ... on IncidentStats { totals { raised timeToResolve { median } } } ...Days } }
      fragment Days on IncidentStats { buckets { raised } }"""
    payload = {"from": T0, "to": T0 + 48 * H, "interval": "DAY"}
    stats = gql.data(document, {"input": payload})["incidentStats"]
    assert stats == {
        "totals": {"raised": 4, "timeToResolve": {"median": 10 * H}},
        "buckets": [{"raised": 2}, {"raised": 2}],
    }

    # The same field asked twice is merged: each half's selection is read.
    twice = """query ($input: IncidentStatsInput!) {
      incidentStats(input: $input) { totals { raised } }
      incidentStats(input: $input) { buckets { raised } } }"""
    merged = gql.data(twice, {"input": payload})["incidentStats"]
    assert merged == {"totals": {"raised": 4}, "buckets": [{"raised": 2}, {"raised": 2}]}


def test_platforms_and_owners_read_together_match_each_read_alone(
    gql: GraphQL, db: Database, timeline: None
) -> None:
    unowned = dataset("kafka", "unowned")  # counts for kafka, and for no owner
    _raise(gql, [unowned], "SQL", "LOW")
    period = (T0, now_ms() + H)

    with db.session() as session:
        together = incident_groups(session, *period, ["PLATFORM", "OWNER"])
        alone = {
            group_by: incident_stats(session, *period, group_by, parts=frozenset({"groups"}))
            for group_by in ("PLATFORM", "OWNER")
        }
    assert together == {group_by: stats.groups for group_by, stats in alone.items()}
    assert {k: f.raised for k, f in together["PLATFORM"].items()} == {"kafka": 3, "snowflake": 3}
    assert {k: f.raised for k, f in together["OWNER"].items()} == {ANN: 2, BOB: 3}


def test_incidents_open_since_before_the_period_count_once_per_group(
    client: TestClient, gql: GraphQL, db: Database, timeline: None
) -> None:
    # G: raised at -72h on K (ann's) and on a snowflake view of ann's and bob's, still active.
    views = dataset("snowflake", "shop.views")
    ingest(client, ownership(views, ANN, BOB))
    g = _raise(gql, [K, views], "FRESHNESS", "HIGH")
    _backdate(db, g, -72, None, None)
    # Nothing is raised or resolved in this hour: C, F and G are open only since before it.
    quiet = {"from": T0 + 49 * H, "to": T0 + 50 * H}

    def still_open(group_by: str, **filters: list[str]) -> dict[str, int]:
        stats = _stats(gql, **quiet, groupBy=group_by, filters=filters)
        assert all(g["figures"]["raised"] == g["figures"]["resolved"] == 0 for g in stats["groups"])
        return {g["key"]: g["figures"]["openAtEnd"] for g in stats["groups"]}

    assert _stats(gql, **quiet)["totals"]["openAtEnd"] == 3
    assert still_open("PLATFORM") == {"kafka": 1, "snowflake": 3}
    assert still_open("OWNER") == {ANN: 1, BOB: 3}  # G once for ann
    assert still_open("ASSET") == {K: 1, views: 1, S: 2}
    assert still_open("TYPE") == {"FRESHNESS": 1, "VOLUME": 1, "SQL": 1}
    assert still_open("PRIORITY") == {"HIGH": 1, "MEDIUM": 1, "NONE": 1}
    assert still_open("PLATFORM", types=["SQL"]) == {"snowflake": 1}
    assert still_open("OWNER", platforms=["kafka"]) == {ANN: 1, BOB: 1}  # G, found by K
    with db.session() as session:  # the page's combined read agrees
        together = incident_groups(session, T0 + 49 * H, T0 + 50 * H, ["PLATFORM", "OWNER"])
    assert {k: f.open_at_end for k, f in together["OWNER"].items()} == {ANN: 1, BOB: 3}

    removal = (
        "mutation ($urns: [String!]!) "
        "{ batchUpdateSoftDeleted(input: {urns: $urns, deleted: true}) }"
    )
    gql.data(removal, {"urns": [g]})
    assert still_open("PLATFORM") == {"snowflake": 2}
    assert still_open("OWNER") == {BOB: 2}
