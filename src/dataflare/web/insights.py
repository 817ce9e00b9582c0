"""The Insights page: how many incidents, how fast they are picked up and resolved, and which
assets are noisy, over a period; each chart also as a table and as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from dataflare.catalog.queries import platforms
from dataflare.core.clock import format_time, now_ms
from dataflare.core.config import figures_exact_up_to
from dataflare.core.errors import InvalidInput
from dataflare.core.vocabulary import INCIDENT_TYPES, PRIORITY_TO_NUMBER
from dataflare.incidents.stats import DAY_MS, incident_groups, incident_stats, page_figures
from dataflare.incidents.stats_values import Durations, Figures, Stats, StatsFilters
from dataflare.web.handling import Call
from dataflare.web.templating import actor_name, words

PERIODS = (7, 30, 90, 180, 365)  # days
DEFAULT_PERIOD = 30
CHARTS = ("open", "weekly", "platform", "owner", "noisy")
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class Choice:
    """What the page shows: a period ending at the end of today (UTC) and its filters."""

    days: int
    platform: str
    type: str
    priority: str

    @property
    def end(self) -> int:
        return (now_ms() // DAY_MS + 1) * DAY_MS

    @property
    def start(self) -> int:
        return self.end - self.days * DAY_MS

    @property
    def filters(self) -> StatsFilters:
        return StatsFilters(
            platforms=(self.platform,) if self.platform else (),
            types=(self.type,) if self.type else (),
            priorities=(self.priority,) if self.priority else (),
        )

    def query(self, **extra: str) -> str:
        given = {"days": str(self.days), "platform": self.platform, "type": self.type}
        given |= {"priority": self.priority, **extra}
        return "&".join(f"{k}={v}" for k, v in given.items() if v)


def _choice(call: Call) -> Choice:
    params = call.request.query_params
    raw_days = params.get("days", str(DEFAULT_PERIOD))
    if not raw_days.isdigit() or int(raw_days) not in PERIODS:
        raise InvalidInput(
            f"Unknown period '{raw_days[:20]}': choose {', '.join(map(str, PERIODS))} days."
        )
    kind, priority = params.get("type", ""), params.get("priority", "")
    if kind and kind not in INCIDENT_TYPES:
        raise InvalidInput(f"Unknown incident type '{kind[:40]}'.")
    if priority and priority not in PRIORITY_TO_NUMBER:
        raise InvalidInput(f"Unknown priority '{priority[:40]}'.")
    return Choice(int(raw_days), params.get("platform", "")[:200], kind, priority)


def _hours(value: int | None) -> float | None:
    return None if value is None else round(value / HOUR_MS, 2)


def duration(value: int | None) -> str:
    """3 d 4 h, 2 h 5 min, 40 min, 12 s; a dash for nothing measured."""
    if value is None:
        return "\N{EN DASH}"
    seconds = value // 1000
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{seconds} s"


def _read(call: Call, choice: Choice, *parts: str) -> Stats:
    """One read of the daily figures, of the parts the charts need only."""
    return incident_stats(
        call.session,
        choice.start,
        choice.end,
        None,
        "DAY",
        choice.filters,
        frozenset(parts),
        figures_exact_up_to(),
    )


def _open_rows(daily: Stats) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [("Day", "Open incidents")]
    return rows + [(_day(b.start), b.open_at_end) for b in daily.buckets]


def _weekly_rows(daily: Stats) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [("Week from", "Raised", "Resolved")]
    # A week's counts are its seven days' (weeks start with the period, as the API's do): the
    # daily read already holds them.
    for first in range(0, len(daily.buckets), 7):
        week = daily.buckets[first : first + 7]
        raised, resolved = sum(b.raised for b in week), sum(b.resolved for b in week)
        rows.append((_day(week[0].start), raised, resolved))
    return rows


def _noisy_rows(daily: Stats) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [("Asset", "Incidents raised")]
    names = [a.name or a.urn for a in daily.noisiest]
    # Two assets of one name (a task of two pipelines): each is shown by its URN instead.
    return rows + [
        (a.urn if names.count(name) > 1 else name, a.raised)
        for name, a in zip(names, daily.noisiest, strict=True)
    ]


FROM_DAYS = {"open": _open_rows, "weekly": _weekly_rows, "noisy": _noisy_rows}
DAILY_PARTS = {"open": ("buckets",), "weekly": ("buckets",), "noisy": ("noisiest",)}
GROUPED = {"platform": ("PLATFORM", "Platform", str), "owner": ("OWNER", "Owner", actor_name)}


def _chart(call: Call, choice: Choice, chart: str) -> list[tuple[Any, ...]]:
    """One chart's rows (header first), reading only what it shows."""
    if chart in GROUPED:
        return _grouped_chart(call, choice, chart)
    return FROM_DAYS[chart](_read(call, choice, *DAILY_PARTS[chart]))


def _grouped_chart(call: Call, choice: Choice, chart: str) -> list[tuple[Any, ...]]:
    """The time to resolve by platform or by owner."""
    group_by, title, name = GROUPED[chart]
    found = incident_groups(
        call.session, choice.start, choice.end, [group_by], choice.filters, figures_exact_up_to()
    )
    return _resolve_times(title, found[group_by], name)


def _day(ms: int) -> str:
    return format_time(ms)[:10]


def _resolve_times(title: str, groups: dict[str, Figures], name: Any) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [(title, "Resolved", "MTTR median (h)", "MTTR p90 (h)")]
    resolved = [(k, f) for k, f in groups.items() if f.time_to_resolve.count]
    resolved.sort(key=lambda pair: -(pair[1].time_to_resolve.median or 0))
    for key, figures in resolved:
        ttr: Durations = figures.time_to_resolve
        rows.append((name(key), ttr.count, _hours(ttr.median), _hours(ttr.p90)))
    return rows


def insights_page(call: Call) -> Response:
    choice = _choice(call)
    groupings = [group_by for group_by, _, _ in GROUPED.values()]
    daily, groups = page_figures(
        call.session,
        choice.start,
        choice.end,
        "DAY",
        choice.filters,
        groupings,
        figures_exact_up_to(),
    )
    charts = {chart: rows(daily) for chart, rows in FROM_DAYS.items()}
    charts |= {
        chart: _resolve_times(title, groups[group_by], name)
        for chart, (group_by, title, name) in GROUPED.items()
    }
    return call.render(
        "insights.html",
        {
            "choice": choice,
            "options": {  # (value, text) of each select
                "days": [(d, f"Last {d} days") for d in PERIODS],
                "platform": [(p, p) for p in platforms(call.session)],
                "type": [(t, words(t)) for t in INCIDENT_TYPES],
                "priority": [(p, words(p)) for p in PRIORITY_TO_NUMBER],
            },
            "totals": daily.totals,
            "duration": duration,
            "charts": {chart: charts[chart] for chart in CHARTS},
            "noisy_urns": [a.urn for a in daily.noisiest],
            "period_label": f"{format_time(choice.start)[:10]} to "
            f"{format_time(choice.end - 1)[:10]}",
        },
    )


def _cell(value: Any) -> Any:
    """A text a spreadsheet would run as a formula (an asset named "=HYPERLINK(...)") is
    written with a leading quote, as spreadsheets expect for plain text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def insights_csv(call: Call) -> Response:
    choice = _choice(call)
    chart = call.request.query_params.get("chart", "")
    if chart not in CHARTS:
        raise InvalidInput(f"Unknown chart '{chart[:40]}': choose one of {', '.join(CHARTS)}.")
    rows = _chart(call, choice, chart)
    out = io.StringIO()
    csv.writer(out).writerows([[_cell(value) for value in row] for row in rows])
    name = f"dataflare-{chart}-{choice.days}d.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
