"""The command line as a newcomer uses it: serve --demo (what `make run` runs), tokens, db."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.e2e.seed import localize, seed_requests
from tests.e2e.server import DATAFLARE, Server, dataflare_env

NEW_ASSET = "urn:li:dataset:(urn:li:dataPlatform:hive,brand_new,PROD)"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DATAFLARE, *args], env=env, capture_output=True, text=True)


def test_serve_demo_prints_the_url_and_a_token_that_works(
    database_url: str, tmp_path: Path
) -> None:
    server = Server(dataflare_env(tmp_path, database_url), "--demo")
    try:
        server.wait_ready()
        printed = []
        assert server.process.stdout is not None
        for line in server.process.stdout:
            printed.append(line)
            if "access token:" in line:
                break
        token = printed[-1].split("access token:")[1].split()[0]
        assert any(server.url in line for line in printed)

        [curl] = [r for r in seed_requests() if r.form == "curl"][:1]
        raised = subprocess.run(
            ["bash", "-c", localize(curl.text, server.url, token)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert '"raiseIncident":"urn:li:incident:' in raised.stdout

        demo = httpx.post(
            f"{server.url}/api/graphql",
            json={
                "query": '{ dashboard(urn: "urn:li:dashboard:(looker,dashboards.1)") '
                "{ health { status message } } }"
            },
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert demo["data"]["dashboard"]["health"] == [
            {"status": "FAIL", "message": "1 active incident"}
        ]
    finally:
        server.stop()


def test_demo_load_is_idempotent(database_url: str, tmp_path: Path) -> None:
    env = dataflare_env(tmp_path, database_url)

    first = run("demo", "load", env=env)
    second = run("demo", "load", env=env)

    assert (first.returncode, second.returncode) == (0, 0)
    assert "Demo data loaded." in first.stderr
    assert "Demo data is already there." in second.stderr


def test_tokens_create_prints_the_token_alone(database_url: str, tmp_path: Path) -> None:
    created = run(
        "tokens",
        "create",
        "--user",
        "ann",
        "--name",
        "ci",
        env=dataflare_env(tmp_path, database_url),
    )

    assert created.returncode == 0
    assert created.stdout.count("\n") == 1
    assert created.stdout.startswith("dfp_")


def test_cli_errors_are_one_line_and_exit_nonzero(database_url: str, tmp_path: Path) -> None:
    bad_user = run(
        "tokens",
        "create",
        "--user",
        "a b",
        "--name",
        "x",
        env=dataflare_env(tmp_path, database_url),
    )
    missing = run("tokens", "create", "--user", "ann", env=dataflare_env(tmp_path, database_url))

    assert bad_user.returncode == 1
    assert bad_user.stderr.strip() == (
        "Error: Invalid user name 'a b': use letters, digits and . _ @ + - only."
    )
    assert "Traceback" not in bad_user.stderr
    assert missing.returncode == 2
    assert "Missing option '--name'" in missing.stderr


def test_db_upgrade_creates_the_sqlite_home(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "home"
    env = dataflare_env(home, f"sqlite:///{home / 'dataflare.db'}")

    done = run("db", "upgrade", env=env)

    assert done.returncode == 0, done.stderr
    assert (home / "dataflare.db").exists()


def test_concurrent_raises_on_an_unseen_asset_all_succeed(
    database_url: str, tmp_path: Path
) -> None:
    server = Server(dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_TOKEN="t"))
    query = f'mutation {{ raiseIncident(input: {{type: SQL, resourceUrn: "{NEW_ASSET}"}}) }}'
    try:
        server.wait_ready()
        with httpx.Client(headers={"Authorization": "Bearer t"}) as client:

            def raise_one(_: int) -> dict[str, object]:
                answer: dict[str, object] = client.post(
                    f"{server.url}/api/graphql", json={"query": query}
                ).json()
                return answer

            with ThreadPoolExecutor(max_workers=10) as pool:
                answers = list(pool.map(raise_one, range(30)))
            assert all("errors" not in a for a in answers), answers
            total = client.post(
                f"{server.url}/api/graphql",
                json={"query": f'{{ dataset(urn: "{NEW_ASSET}") {{ incidents {{ total }} }} }}'},
            ).json()
        assert total["data"]["dataset"]["incidents"]["total"] == 30
    finally:
        server.stop()
