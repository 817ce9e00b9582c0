"""The README's Quick start as a newcomer reads it: what to install first, and how the bare
`dataflare` of every later example comes to be on the PATH."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import click

from dataflare import __version__
from dataflare.cli import main

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


def command_line_block() -> list[str]:
    text = README.read_text()
    start = text.index("```\n", text.index("## Command line")) + 4
    return text[start : text.index("\n```", start)].splitlines()


def commands(group: click.Group, path: str = "dataflare") -> dict[str, click.Command]:
    """Every command that does something, by the words that call it."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= commands(command, f"{path} {name}")
        else:
            found[f"{path} {name}"] = command
    return found


def test_the_command_line_section_names_every_command_and_only_real_options() -> None:
    every = commands(main)
    entries: list[tuple[str, str]] = []  # (command, its lines in the README)
    for line in command_line_block():
        if line.startswith("dataflare "):
            words = line.split()
            called = next(" ".join(words[:n]) for n in (3, 2) if " ".join(words[:n]) in every)
            entries.append((called, line))
        else:
            entries[-1] = (entries[-1][0], f"{entries[-1][1]}\n{line}")

    named = {called for called, _ in entries}
    # `users disable NAME | enable NAME` names two on one line.
    named |= {f"dataflare users {w}" for _, text in entries for w in re.findall(r"\| (\w+)", text)}
    assert set(every) - named == set()
    for called, text in entries:
        options = {o for param in every[called].params for o in param.opts + param.secondary_opts}
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", text):
            assert option in options, f"{called}: {option} is not one of its options"
