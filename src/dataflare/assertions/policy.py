"""The automation policy: `$DATAFLARE_HOME/assertions.toml`, read and checked whole at start,
every error naming its line. Without the file, the defaults: a failing run raises an incident
at once, assigned to the asset's owners; a passing run resolves it; a run that could not be
evaluated (ERROR) raises nothing.

    [defaults]                    # every key optional
    enabled = true                # raise incidents at all
    priority = "HIGH"             # CRITICAL, HIGH, MEDIUM or LOW; none by default
    failures_before_raising = 1   # failing runs in a row before an incident is raised
    auto_resolve = true           # a passing run resolves the incident
    raise_on_error = false        # an ERROR run counts as a failure
    assign_owners = true          # the asset's owners are the incident's assignees

    [[rule]]                      # rules apply in file order, later ones over earlier ones,
    platform = "dbt"              # each setting only the keys it names; it matches when all
    assertion_type = "FRESHNESS"  # its selectors match: platform (the assertion's tool or the
    dataset = "urn:li:dataset:(urn:li:dataPlatform:snowflake,orders,PROD)"  # asset's platform),
    tag = "urn:li:tag:critical"   # assertion type, the asset's URN, a tag of the assertion or asset
    enabled = false
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dataflare.assertions.info import ASSERTION_TYPES
from dataflare.core.errors import InvalidInput
from dataflare.core.vocabulary import PRIORITY_TO_NUMBER

FILE_NAME = "assertions.toml"
SELECTORS = ("platform", "assertion_type", "dataset", "tag")
MAX_FAILURES_BEFORE_RAISING = 1_000


@dataclass(frozen=True)
class Decision:
    enabled: bool = True
    priority: str | None = None
    failures_before_raising: int = 1
    auto_resolve: bool = True
    raise_on_error: bool = False
    assign_owners: bool = True


SETTINGS = tuple(Decision.__dataclass_fields__)


@dataclass(frozen=True)
class Rule:
    selectors: dict[str, str]
    settings: dict[str, Any]


@dataclass(frozen=True)
class Subject:
    """What a rule is matched against."""

    platforms: Collection[str]  # the assertion's tool and the asset's platform
    assertion_type: str | None
    dataset: str | None
    tags: Collection[str] = ()


@dataclass(frozen=True)
class Policy:
    defaults: Decision = Decision()
    rules: list[Rule] = field(default_factory=list)

    def decide(self, subject: Subject) -> Decision:
        decision = self.defaults
        for rule in self.rules:
            if all(_matches(name, value, subject) for name, value in rule.selectors.items()):
                decision = replace(decision, **rule.settings)
        return decision


def _matches(name: str, value: str, subject: Subject) -> bool:
    if name == "platform":
        return value in subject.platforms
    if name == "assertion_type":
        return value == subject.assertion_type
    if name == "dataset":
        return value == subject.dataset
    return value in subject.tags


_active = Policy()


def install(policy: Policy) -> None:
    """The policy this process applies (read at start)."""
    global _active
    _active = policy


def active() -> Policy:
    return _active


def load(home: Path) -> Policy:
    path = home / FILE_NAME
    if not path.is_file():
        return Policy()
    return parse(path.read_text(encoding="utf-8"), str(path))


def parse(text: str, source: str) -> Policy:
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{source}: not valid TOML: {error}") from error
    lines = _Lines(text, source)
    for name in values:
        if name not in ("defaults", "rule"):
            raise lines.error(
                name, None, "", f"unknown table [{name}]; use [defaults] or [[rule]]."
            )
    defaults = values.get("defaults", {})
    if not isinstance(defaults, dict):
        raise lines.error("defaults", None, "", "[defaults] must be a table.")
    rules = values.get("rule", [])
    if not isinstance(rules, list):
        raise lines.error("rule", None, "", "rules are written [[rule]].")
    settings = _settings(defaults, lines, "defaults", None)
    checked = []
    for i, rule in enumerate(rules):
        selectors = {k: rule.pop(k) for k in SELECTORS if k in rule}
        for key, value in selectors.items():
            if not isinstance(value, str) or not value.strip():
                raise lines.error("rule", i, key, f"{key} must be a non-empty string.")
            if key == "assertion_type" and value not in ASSERTION_TYPES:
                raise lines.error(
                    "rule", i, key, f"assertion_type must be one of {', '.join(ASSERTION_TYPES)}."
                )
        rule_settings = _settings(rule, lines, "rule", i)
        if not selectors:
            raise lines.error(
                "rule", i, "", f"a rule names at least one of {', '.join(SELECTORS)}."
            )
        checked.append(Rule(selectors, rule_settings))
    return Policy(Decision(**settings), checked)


def _settings(table: dict[str, Any], lines: _Lines, name: str, index: int | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in table.items():
        if key not in SETTINGS:
            known = ", ".join(SETTINGS if name == "defaults" else SELECTORS + SETTINGS)
            raise lines.error(name, index, key, f"unknown key '{key}'; the keys are {known}.")
        if key == "priority":
            if value not in PRIORITY_TO_NUMBER:
                raise lines.error(
                    name, index, key, "priority must be CRITICAL, HIGH, MEDIUM or LOW."
                )
        elif key == "failures_before_raising":
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 1 <= value <= MAX_FAILURES_BEFORE_RAISING
            ):
                raise lines.error(
                    name,
                    index,
                    key,
                    f"failures_before_raising must be a whole number from 1 to "
                    f"{MAX_FAILURES_BEFORE_RAISING}.",
                )
        elif not isinstance(value, bool):
            raise lines.error(name, index, key, f"{key} must be true or false.")
        found[key] = value
    return found


_HEADER = re.compile(r"^\s*\[(\[)?\s*([A-Za-z0-9_-]+)\s*\]")


class _Lines:
    """Where a table or key is in the file, to name its line in an error."""

    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source

    def error(self, table: str, index: int | None, key: str, problem: str) -> InvalidInput:
        return InvalidInput(f"{self.source}, line {self._find(table, index, key)}: {problem}")

    def _find(self, table: str, index: int | None, key: str) -> int:
        seen = -1
        start = None
        for number, line in enumerate(self.lines, 1):
            header = _HEADER.match(line)
            if header:
                if start is not None:
                    break  # the table's end
                if header.group(2) == table:
                    seen += 1
                    if index is None or seen == index:
                        start = number
                continue
            if start is not None and key and re.match(rf"^\s*{re.escape(key)}\s*=", line):
                return number
        return start or 1
