"""The README's Quick start as a newcomer reads it: what to install first, and how the bare
`dataflare` of every later example comes to be on the PATH."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

from dataflare import __version__

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"


def quick_start() -> str:
    text = README.read_text()
    start = text.index("## Quick start")
    return text[start : text.index("\n## ", start + 1)]


def test_the_prerequisites_come_before_the_two_commands() -> None:
    section = quick_start()
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    python = f"Python {requires.removeprefix('>=')} or later"

    first_command = section.index("make run")
    for prerequisite in (python, "Node.js 18 or later", "npm"):
        assert prerequisite in section, prerequisite
        assert section.index(prerequisite) < first_command, prerequisite
    assert "make test" in section


def test_the_activation_it_shows_puts_dataflare_on_the_path() -> None:
    [activate] = re.findall(r"^\. \S*activate$", quick_start(), re.MULTILINE)
    # A shell as a newcomer opens it: nothing of the project's environment on the PATH.
    path = ":".join(p for p in os.environ["PATH"].split(":") if "/.venv" not in p)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | {"PATH": path}

    done = subprocess.run(
        ["bash", "-c", f"{activate} && command -v dataflare && dataflare --version"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0, done.stderr
    found, version = done.stdout.splitlines()
    assert Path(found) == ROOT / ".venv" / "bin" / "dataflare"
    assert version == f"dataflare, version {__version__}"


def test_the_set_up_asks_npm_for_no_notices() -> None:
    # What `make run` and `make test` would run on a fresh clone, printed, not run.
    planned = subprocess.run(
        ["make", "--dry-run", "--always-make", "--no-print-directory", "setup"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()

    npm = [line for line in planned if line.startswith("npm ")]
    assert npm, planned
    for command in npm:
        assert "--no-update-notifier" in command and "--no-fund" in command, command
