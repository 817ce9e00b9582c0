"""`make dist` as a pipeline host meets it: the wheel holds what the server reads from its
package (migrations, schema, templates, browser files), and installed in an environment of its
own, its `dataflare` command migrates a new database and serves."""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import httpx
import pytest

from dataflare import __version__
from tests.e2e.server import Server

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "src" / "dataflare"
WHEEL = f"dataflare-{__version__}-py3-none-any.whl"
# What the server reads from files beside its code; each must be in the wheel.
DATA_FILES = [
    "db/migrations/env.py",
    "db/migrations/script.py.mako",
    "db/migrations/versions/*.py",
    "graphql/schema/*.graphql",
    "web/templates/**/*.html",
    "web/static/*.*",
    "web/static/vendor/*.*",
]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make dist` builds, into a folder of this test's."""
    folder = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        ["make", "--no-print-directory", "dist", f"DIST={folder}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return folder


def test_make_dist_builds_the_wheel_and_the_sdist(dist: Path) -> None:
    assert sorted(p.name for p in dist.iterdir()) == [WHEEL, f"dataflare-{__version__}.tar.gz"]


def test_the_wheel_holds_every_file_the_server_reads(dist: Path) -> None:
    names = set(zipfile.ZipFile(dist / WHEEL).namelist())
    expected = {
        f"dataflare/{path.relative_to(PACKAGE)}"
        for pattern in DATA_FILES
        for path in PACKAGE.glob(pattern)
        if not path.name.startswith(".")  # the set-up's stamp files
    }

    assert "dataflare/db/migrations/versions/0001_initial_schema.py" in expected
    assert "dataflare/web/templates/fragments/incidents.html" in expected
    assert "dataflare/web/static/vendor/htmx.min.js" in expected
    assert expected - names == set()


def test_the_installed_wheel_migrates_a_new_database_and_serves(dist: Path, tmp_path: Path) -> None:
    # A fresh environment with the wheel and nothing of the source tree. Its dependencies are
    # the ones this test runs with (a .pth file names their folder), so pip checks the wheel's
    # requirements against them and downloads nothing.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-index", dist / WHEEL],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    home = tmp_path / "home"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATAFLARE_HOME": str(home)}
    found = subprocess.run(
        [python, "-c", "import dataflare; print(dataflare.__file__)"],
        env=env,
        capture_output=True,
        text=True,
    )
    version = subprocess.run(
        [venv / "bin" / "dataflare", "--version"], env=env, capture_output=True, text=True
    )
    upgraded = subprocess.run(
        [venv / "bin" / "dataflare", "db", "upgrade"], env=env, capture_output=True, text=True
    )

    assert Path(found.stdout.strip()).is_relative_to(venv), found.stdout + found.stderr
    assert version.stdout.strip() == f"dataflare, version {__version__}", version.stderr
    assert upgraded.returncode == 0, upgraded.stderr
    assert (home / "dataflare.db").stat().st_size > 0

    server = Server(env | {"DATAFLARE_ADMIN_TOKEN": "t"}, dataflare=str(venv / "bin" / "dataflare"))
    try:
        server.wait_ready()
        answer = httpx.post(
            f"{server.url}/api/graphql",
            json={"query": "{ __schema { queryType { name } } }"},
            headers={"Authorization": "Bearer t"},
        )
        login = httpx.get(f"{server.url}/login")
        htmx = httpx.get(f"{server.url}/static/vendor/htmx.min.js")
    finally:
        server.stop()
    assert answer.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert login.status_code == 200 and "Sign in</button>" in login.text
    assert htmx.status_code == 200


def test_the_pipelines_guide_installs_what_make_dist_builds(dist: Path) -> None:
    guide = (ROOT / "docs" / "pipelines.md").read_text()
    installs = re.findall(r"^pip install (\S+)", guide, re.MULTILINE)

    assert f"dist/{WHEEL}" in guide and WHEEL in installs
    assert "dataflare" not in installs, "no package index has dataflare"
    assert (dist / WHEEL).exists()
