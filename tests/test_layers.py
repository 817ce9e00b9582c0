"""Imports run one way: surfaces (graphql, web, ingest, cli, mcp) call services (catalog, incidents,
access, notifications, assertions), which use plumbing (db, core); events lie below both incidents
and notifications, so neither imports the other; assertions raise incidents, so incidents never
import assertions; the client SDK imports nothing of the server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "dataflare"
SURFACES = {"graphql", "web", "ingest", "cli", "mcp", "monitoring", "app", "server"}
SERVICES = {"catalog", "incidents", "access", "notifications", "assertions"}
# What each part may import of the package (besides itself).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "client": set(),
    "db": {"core"},
    "events": {"core", "db"},
    "catalog": {"core", "db"},
    "access": {"core", "db", "catalog"},
    "incidents": {"core", "db", "catalog", "events"},
    "notifications": {"core", "db", "catalog", "events"},
    "assertions": {"core", "db", "catalog", "incidents", "events"},
}
# The model registry and the migrations see every table: that is their purpose.
EXEMPT = {"db/registry.py", "db/migrations/env.py"}


def imported_parts(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "dataflare" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_layer_imports_only_what_lies_below_it(part: str) -> None:
    wrong = {}
    for path in sorted((PACKAGE / part).rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in EXEMPT:
            continue
        others = imported_parts(path) - {part} - ALLOWED[part]
        if others:
            wrong[relative] = sorted(others)

    assert wrong == {}


def test_the_package_root_holds_only_the_entry_points() -> None:
    modules = {p.name for p in PACKAGE.glob("*.py")}

    assert modules == {"__init__.py", "app.py", "server.py"}


def test_every_part_is_a_surface_or_has_its_rule() -> None:
    parts = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}

    assert parts - SURFACES - set(ALLOWED) == set()
