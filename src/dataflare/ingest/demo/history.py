"""90 days of incidents on the demo catalog, as the steps that made them: raised (by people, or
by data checks and the scheduler), acknowledged (assigned, moved out of triage), worked on,
resolved after minutes to days, now and then reopened and resolved again, and some still open.
A seeded generator, so every load writes the same history (at times relative to the load)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from dataflare.incidents.service import RaiseRequest
from dataflare.ingest.demo import people, sample, stories
from dataflare.ingest.demo.catalog import Asset

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
DAYS = 90
SEED = 19
ID_PREFIX = "demo-history-"

KIND_WEIGHTS = {
    "source": 3.0,
    "raw": 1.0,
    "staging": 1.5,
    "mart": 2.0,
    "flow": 0.2,
    "job": 1.2,
    "chart": 0.8,
    "dashboard": 0.4,
}
NOISY, NOISE = 8, 6.0  # so many assets raise this many times more than the others
PRIORITIES = ((None, 1), ("CRITICAL", 1), ("HIGH", 3), ("MEDIUM", 5), ("LOW", 3))
# Median minutes from acknowledgement to resolution, per priority.
# The chance that an incident of this priority is left open, a known issue in the backlog.
BACKLOG = {"LOW": 0.2, None: 0.15, "MEDIUM": 0.02}
MAX_WAIT = 3 * 24 * 60  # minutes: nobody leaves an incident alone longer than that
FIX_MINUTES = {"CRITICAL": 60, "HIGH": 180, "MEDIUM": 600, "LOW": 1800, None: 2400}


@dataclass(frozen=True)
class Target:
    """What an incident is raised on, and who looks after it."""

    urn: str
    name: str
    kind: str
    owner: str  # the person who acknowledges and fixes
    reporter: str  # the person who notices, when a person raises it


@dataclass(frozen=True)
class Step:
    """One change, at its time: a raise (a raise again, with a dedup key), or an edit."""

    at: int
    actor: str
    urn: str  # the incident's
    raise_request: RaiseRequest | None = None
    changes: dict[str, Any] | None = None


@dataclass
class Story:
    """One incident's steps, oldest first; `open` when it is not resolved by the end."""

    steps: list[Step] = field(default_factory=list)
    open: bool = False


_ORDERS = Target(sample.ORDERS, "orders", "mart", sample.JDOE, sample.ASMITH)
_EVENTS = Target(sample.ORDER_EVENTS, "orders_events", "source", sample.JDOE, sample.ASMITH)
_KAFKA = Target(sample.KAFKA, "SampleKafkaDataset", "source", sample.JDOE, sample.ASMITH)
_LOAD = Target(sample.LOAD, "load_revenue", "job", sample.JDOE, sample.JDOE)
_EXTRACT = Target(sample.EXTRACT, "extract_orders", "job", sample.JDOE, sample.JDOE)
_REVENUE_CHART = Target(
    sample.REVENUE_CHART, "Revenue by day", "chart", sample.ASMITH, sample.ASMITH
)
_DASHBOARD = Target(sample.DASHBOARD, "Revenue", "dashboard", sample.ASMITH, sample.ASMITH)
# The first demo's assets had incidents before too: (asset, type, days ago). Not the customers
# table: the web UI's tests raise its first incident.
ON_SAMPLE = (
    (_ORDERS, "FRESHNESS", 71),
    (_ORDERS, "FRESHNESS", 43),
    (_ORDERS, "VOLUME", 26),
    (_ORDERS, "FRESHNESS", 12),
    (_EVENTS, "VOLUME", 55),
    (_KAFKA, "DATA_SCHEMA", 64),
    (_LOAD, "OPERATIONAL", 30),
    (_EXTRACT, "OPERATIONAL", 17),
    (_REVENUE_CHART, "CUSTOM", 37),
    (_DASHBOARD, "CUSTOM", 21),
)


def target(asset: Asset) -> Target:
    shown = asset.kind in ("chart", "dashboard")
    return Target(
        asset.urn,
        asset.name,
        asset.kind,
        asset.analyst if shown else asset.engineer,
        asset.analyst,
    )


def plan(assets: list[Asset], end: int) -> list[Step]:
    """Every step of 90 days of incidents ending at `end`, in time order: on the catalog's
    assets, then a few on the first demo's (all resolved: the docs count their active ones)."""
    rng = random.Random(SEED)
    targets = [target(a) for a in assets]
    weights = [KIND_WEIGHTS[t.kind] for t in targets]
    for index in rng.sample(range(len(targets)), NOISY):
        weights[index] *= NOISE
    busy: dict[tuple[str, str], list[tuple[int, int]]] = {}
    stories_: list[Story] = []
    start = end - DAYS * DAY
    for day in range(DAYS):
        weekend = day % 7 in (5, 6)
        count = rng.choice((1, 2, 2, 3) if weekend else (2, 3, 4, 4, 5, 5, 6, 7))
        for _ in range(count):
            [chosen] = rng.choices(targets, weights)
            number = len(stories_) + 1
            stories_.append(story(rng, chosen, start + day * DAY, end, number, busy))
    for on, incident_type, days_ago in ON_SAMPLE:
        number = len(stories_) + 1
        day_start = end - days_ago * DAY
        told = story(
            rng, on, day_start, end, number, busy, incident_type=incident_type, resolved=True
        )
        stories_.append(told)
    return ordered(stories_)


def ordered(stories_: list[Story]) -> list[Step]:
    """All steps by time; one incident's steps keep their order (their times increase)."""
    numbered = [(s.at, n, s) for story_ in stories_ for n, s in enumerate(story_.steps)]
    return [step for _, _, step in sorted(numbered, key=lambda item: (item[0], item[1]))]


def story(
    rng: random.Random,
    on: Target,
    day_start: int,
    end: int,
    number: int,
    busy: dict[tuple[str, str], list[tuple[int, int]]],
    *,
    incident_type: str | None = None,
    resolved: bool = False,
) -> Story:
    """One incident on `on`, raised on the day that starts at `day_start`. `resolved`: it is
    resolved (for good) before `end`; the caller gives a day long enough before it."""
    kinds = stories.TYPES_BY_KIND[on.kind]
    if incident_type is None:
        [incident_type] = rng.choices([k for k, _ in kinds], [w for _, w in kinds])
    automated = on.kind in ("job", "flow") or (
        incident_type in stories.CHECKED and rng.random() < 0.7
    )
    hour = rng.randint(1, 7) if automated else rng.randint(8, 18)
    raised_at = day_start + hour * HOUR + rng.randint(0, 59) * MINUTE + rng.randint(0, 59_999)
    [priority] = rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])
    urn = f"urn:li:incident:{ID_PREFIX}{number:04d}"
    request = _request(rng, on, incident_type, priority, automated, raised_at, number)
    actor = people.BOT if automated else on.reporter
    steps = [Step(raised_at, actor, urn, raise_request=request)]
    at = raised_at

    def after(minutes: float) -> int:
        """A while after the last step: at least a minute, at most a few days."""
        return (
            steps[-1].at + int(min(max(minutes, 1.0), MAX_WAIT) * MINUTE) + rng.randint(0, 59_999)
        )

    again = None
    if request.dedup_key is not None and rng.random() < 0.35:
        again = replace(request, incident_id=None)  # found by its key, not by its id
        for _ in range(rng.randint(1, 4)):  # the hourly check fails again
            at = after(60)
            steps.append(Step(at, people.BOT, urn, raise_request=again))
    fast = priority in ("CRITICAL", "HIGH")
    if rng.random() < 0.9:
        at = after(rng.lognormvariate(3.0 if fast else 4.5, 0.8))
        message = rng.choice(stories.ACKNOWLEDGED)
        status = {"state": "ACTIVE", "stage": "INVESTIGATION", "message": message}
        steps.append(
            Step(at, on.owner, urn, changes={"assignee_urns": [on.owner], "status": status})
        )
        if not fast and rng.random() < 0.1:
            at = after(rng.lognormvariate(4.0, 0.7))
            steps.append(Step(at, on.owner, urn, changes={"priority": "HIGH"}))
        if rng.random() < 0.4:
            at = after(rng.lognormvariate(4.0, 0.7))
            status = {"state": "ACTIVE", "stage": "WORK_IN_PROGRESS"}
            steps.append(Step(at, on.owner, urn, changes={"status": status}))
    backlog = not resolved and rng.random() < BACKLOG.get(priority, 0.0)
    if not backlog:  # else a known issue, left open in the backlog
        _resolve(rng, steps, on, priority, after)
    if request.dedup_key is not None:
        window = (raised_at, end if backlog else steps[-1].at)
        taken = busy.setdefault((on.urn, request.dedup_key), [])
        if any(a <= window[1] and window[0] <= b for a, b in taken):  # the key is another's now
            request.dedup_key = None
            steps = [s for s in steps if again is None or s.raise_request is not again]
        else:
            taken.append(window)
    return _until(steps, end)


def _resolve(
    rng: random.Random,
    steps: list[Step],
    on: Target,
    priority: str | None,
    after: Callable[[float], int],
) -> None:
    """Resolved after a while; now and then reopened, and resolved again."""
    reopens = 1 if rng.random() < 0.08 else 0
    urn = steps[0].urn
    for round_ in range(reopens + 1):
        at = after(rng.lognormvariate(_log(FIX_MINUTES[priority]), 1.0))
        steps.append(Step(at, on.owner, urn, changes={"status": _resolution(rng)}))
        if round_ < reopens:
            at = after(rng.lognormvariate(_log(600), 0.8))
            message = rng.choice(stories.REOPENED)
            status = {"state": "ACTIVE", "stage": "INVESTIGATION", "message": message}
            steps.append(Step(at, on.reporter, urn, changes={"status": status}))


def _log(minutes: float) -> float:
    return math.log(minutes)


def _until(steps: list[Step], end: int) -> Story:
    """The steps that happened before `end`; the incident is open unless it was resolved."""
    kept = [s for s in steps if s.at < end]
    last = kept[-1].changes or {} if kept else {}
    resolved = last.get("status", {}).get("state") == "RESOLVED"
    return Story(kept, open=not resolved)


def _resolution(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.15:
        return {
            "state": "RESOLVED",
            "stage": "NO_ACTION_REQUIRED",
            "message": rng.choice(stories.NO_ACTION),
        }
    return {"state": "RESOLVED", "stage": "FIXED", "message": rng.choice(stories.FIXED)}


def _request(
    rng: random.Random,
    on: Target,
    incident_type: str,
    priority: str | None,
    automated: bool,
    raised_at: int,
    number: int,
) -> RaiseRequest:
    words = {
        "name": on.name,
        "hours": rng.randint(2, 9),
        "pct": rng.randint(25, 80),
        "column": rng.choice(stories.COLUMNS),
        "hour": rng.randint(2, 6),
        "rows": rng.randint(3, 4800),
    }
    custom_type = None
    if incident_type == "CUSTOM":
        custom_type, title = rng.choice(stories.CUSTOM)
    else:
        title = rng.choice(stories.TITLES[incident_type])
    checked = automated and incident_type in stories.CHECKED
    return RaiseRequest(
        incident_id=f"{ID_PREFIX}{number:04d}",
        type=incident_type,
        custom_type=custom_type,
        title=title.format(**words),
        description=stories.DESCRIPTIONS[incident_type].format(**words),
        resource_urn=on.urn,
        priority=priority,
        stage="TRIAGE",
        source_type="ASSERTION_FAILURE" if checked else "MANUAL",
        started_at=raised_at - rng.randint(1, 5) * HOUR if incident_type == "FRESHNESS" else None,
        dedup_key=f"{incident_type.lower()}-check" if checked else None,
    )
