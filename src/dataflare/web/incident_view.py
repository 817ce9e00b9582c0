"""What the Incidents page shows, as its URL says it: text, filters, sort, grouping and page.
Every part of the view is a query parameter, so a view can be bookmarked or shared."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from urllib.parse import urlencode

from dataflare.catalog.search_filters import Criterion
from dataflare.core.errors import InvalidInput
from dataflare.incidents.groups import GROUP_BY
from dataflare.web.people import assignee_urns

PAGE_SIZE = 25
MAX_VALUES = 50  # of one parameter
MAX_TEXT = 500
# parameter -> the search filter it sets (values as given)
LISTS = {
    "state": "state",
    "priority": "priority",
    "stage": "stage",
    "type": "type",
    "asset": "entities",
    "assignee": "assignees",
    "platform": "platform",
    "owner": "owners",
}
# sort parameter -> (field, order) of the search; the first is the default
SORTS = {
    "newest": ("created", "DESCENDING"),
    "oldest": ("created", "ASCENDING"),
    "updated": ("lastUpdated", "DESCENDING"),
    "stale": ("lastUpdated", "ASCENDING"),
    "urgent": ("priority", "ASCENDING"),
    "least-urgent": ("priority", "DESCENDING"),
}
SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "updated": "Recently updated",
    "stale": "Least recently updated",
    "urgent": "Most urgent first",
    "least-urgent": "Least urgent first",
}
# date parameter -> (search field, comparison); a "to" date includes its whole day
DATES = {
    "created_from": ("created", "GREATER_THAN_OR_EQUAL_TO"),
    "created_to": ("created", "LESS_THAN"),
    "updated_from": ("lastUpdated", "GREATER_THAN_OR_EQUAL_TO"),
    "updated_to": ("lastUpdated", "LESS_THAN"),
}
TEXTS = ("query", "customType", *DATES, "sort", "group")
FLAGS = ("mine", "owned")  # assigned to me, on assets I own


class Params(Protocol):
    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class IncidentListView:
    chosen: dict[str, tuple[str, ...]]  # list parameter -> its values
    texts: dict[str, str]
    flags: frozenset[str]
    page: int

    @classmethod
    def parse(cls, params: Params) -> IncidentListView:
        chosen = {name: _values(name, params.getlist(name)) for name in LISTS}
        if chosen["owner"]:  # owners typed as names, comma separated
            names = [n.strip() for typed in chosen["owner"] for n in typed.split(",") if n.strip()]
            chosen["owner"] = tuple(dict.fromkeys(assignee_urns(names)))
        texts = {name: (params.getlist(name) or [""])[0].strip()[:MAX_TEXT] for name in TEXTS}
        if texts["sort"] and texts["sort"] not in SORTS:
            raise InvalidInput(
                f"Unknown sort '{texts['sort'][:40]}': choose one of {', '.join(SORTS)}."
            )
        if texts["group"] and texts["group"] not in GROUP_BY:
            raise InvalidInput(
                f"Cannot group incidents by '{texts['group'][:40]}': group by "
                f"{', '.join(GROUP_BY)}."
            )
        if texts["sort"] == "newest":  # the default: left out of the view's URL
            texts["sort"] = ""
        for name in DATES:
            _day(name, texts[name])  # refused now, in words, if it is not a date
        flags = frozenset(f for f in FLAGS if (params.getlist(f) or [""])[0] in ("1", "on"))
        raw_page = (params.getlist("page") or ["1"])[0]
        if not raw_page.isdigit() or not 1 <= int(raw_page) <= 100_000:
            raise InvalidInput(f"Page '{raw_page[:20]}' is not a page number: use 1, 2, 3 ...")
        return cls(chosen, texts, flags, int(raw_page))

    @property
    def sort(self) -> tuple[str, str]:
        return SORTS[self.texts["sort"] or "newest"]

    @property
    def group(self) -> str:
        return self.texts["group"]

    def criteria(self, me: str) -> list[Criterion]:
        """The search's filters (all of them must hold) for the user `me`."""
        found = [Criterion(LISTS[n], values) for n, values in self.chosen.items() if values]
        if self.texts["customType"]:
            found.append(Criterion("customType", (self.texts["customType"],)))
        for name, (field, comparison) in DATES.items():
            day = _day(name, self.texts[name])
            if day is not None:
                when = datetime(day.year, day.month, day.day, tzinfo=UTC)
                if name.endswith("_to"):
                    when += timedelta(days=1)
                millis = str(int(when.timestamp() * 1000))
                found.append(Criterion(field, (millis,), condition=comparison))
        if "mine" in self.flags:
            found.append(Criterion("assignees", (me,)))
        if "owned" in self.flags:
            found.append(Criterion("owners", (me,)))
        return found

    def pairs(self, **changes: str | Iterable[str] | None) -> list[tuple[str, str]]:
        """The view's query parameters, with some changed (None or "" drops one)."""
        given: dict[str, tuple[str, ...]] = {n: v for n, v in self.chosen.items()}
        given |= {n: (v,) for n, v in self.texts.items()}
        given |= {f: ("1",) for f in self.flags}
        given["page"] = (str(self.page),) if self.page > 1 else ()
        for name, value in changes.items():
            if value is None or isinstance(value, str):
                given[name] = (value,) if value else ()
            else:
                given[name] = tuple(value)
        return [(n, v) for n, values in given.items() for v in values if v]

    def url(self, **changes: str | Iterable[str] | None) -> str:
        pairs = self.pairs(**changes)
        return "/incidents" + ("?" + urlencode(pairs) if pairs else "")

    @property
    def owner_text(self) -> str:
        """The owners as typed: a user by name, a group by URN."""
        return ", ".join(o.removeprefix("urn:li:corpuser:") for o in self.chosen["owner"])

    @property
    def query_string(self) -> str:
        return urlencode(self.pairs())


def _values(name: str, values: list[str]) -> tuple[str, ...]:
    if len(values) > MAX_VALUES:
        raise InvalidInput(f"At most {MAX_VALUES} values of '{name}' (got {len(values)}).")
    return tuple(dict.fromkeys(v.strip()[:MAX_TEXT] for v in values if v.strip()))


def _day(name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"'{text[:40]}' in {name.replace('_', ' ')} is not a date: use YYYY-MM-DD."
        ) from None
