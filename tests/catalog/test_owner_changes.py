"""The incident figures count each incident under its assets' owners, so they must hear of every
owner change: a process that would replace owners with nothing listening is refused loudly."""

from __future__ import annotations

import subprocess
import sys

ALONE = """
from dataflare.catalog import owner_changes
try:
    owner_changes.replacing(None, {1: ["urn:li:corpuser:ana"]})
except RuntimeError as error:
    print(error)
"""
# What every process that changes owners imports: the API's app, and ingestion's proposals.
SURFACES = ["dataflare.ingest.apply", "dataflare.app", "dataflare.graphql.schema"]


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_owners_replaced_where_nothing_listens_are_refused() -> None:
    assert "nothing listens for it" in _run(ALONE)


def test_every_surface_that_changes_owners_brings_the_figures_listener() -> None:
    for surface in SURFACES:
        heard = _run(
            f"import {surface}\n"
            "from dataflare.catalog import owner_changes\n"
            "print(sorted(listener.__module__ for listener in owner_changes.listeners()))"
        )
        assert heard.strip() == "['dataflare.incidents.rollups']", surface
