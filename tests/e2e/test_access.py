"""Access against real `dataflare serve` processes: the first admin, the users and tokens
commands, and no secret ever written to the server's output."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx

from tests.e2e.server import DATAFLARE, Server, dataflare_env

RAISE = (
    "mutation { raiseIncident(input: {type: SQL, "
    'resourceUrn: "urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD)"}) }'
)
PASSWORD = "a long enough password"


def run(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DATAFLARE, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


def graphql(server: Server, token: str, query: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {token}"},
    )


def login(server: Server, user: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=server.url, follow_redirects=True) as browser:
        form = browser.get("/login").text
        match = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert match
        return browser.post(
            "/login",
            data={"username": user, "password": password, "csrf_token": match.group(1)},
        )


def test_the_first_start_creates_the_admin_and_shows_its_password_once(
    database_url: str, tmp_path: Path
) -> None:
    env = dataflare_env(tmp_path, database_url)
    first = Server(env)
    try:
        first.wait_ready()
    finally:
        printed = first.stop()
    match = re.search(r"Created the admin user 'datahub' with password: (\S+)", printed)
    assert match, printed
    password = match.group(1)

    second = Server(env)
    try:
        second.wait_ready()
        signed_in = login(second, "datahub", password)
        assert "Signed in as <strong>datahub</strong> (Admin)" in signed_in.text
    finally:
        printed_again = second.stop()
    assert password not in printed_again
    assert "Created the admin user" not in printed_again


def test_users_and_tokens_commands_change_a_running_server(
    database_url: str, tmp_path: Path
) -> None:
    env = dataflare_env(tmp_path, database_url, DATAFLARE_ADMIN_PASSWORD=PASSWORD)
    added = run(
        "users",
        "add",
        "bob",
        "--role",
        "Reader",
        "--password-stdin",
        env=env,
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    assert PASSWORD not in added.stdout + added.stderr
    token = run(
        "tokens", "create", "--user", "bob", "--name", "ci", "--duration", "ONE_DAY", env=env
    ).stdout.strip()
    server = Server(env)
    try:
        server.wait_ready()
        refused = graphql(server, token, RAISE).json()
        assert refused["errors"][0]["extensions"] == {"code": 403, "type": "UNAUTHORIZED"}

        assert run("users", "set-role", "bob", "Editor", env=env).returncode == 0
        assert "errors" not in graphql(server, token, RAISE).json()
        assert "bob\tEditor\tactive" in run("users", "list", env=env).stdout

        assert run("users", "disable", "bob", env=env).returncode == 0
        disabled = graphql(server, token, RAISE)
        assert disabled.status_code == 401 and "disabled" in disabled.text
        assert login(server, "bob", PASSWORD).status_code == 401

        assert run("users", "enable", "bob", env=env).returncode == 0
        listed = run("tokens", "list", "--user", "bob", env=env).stdout
        assert token not in listed
        [row] = listed.splitlines()[1:]
        assert row.split("\t")[1:3] == ["bob", "ci"]
        assert run("tokens", "revoke", row.split("\t")[0], env=env).returncode == 0
        revoked = graphql(server, token, RAISE)
        assert revoked.status_code == 401 and "revoked" in revoked.text
    finally:
        server.stop()


def test_no_token_or_password_is_ever_written_to_the_servers_output(
    database_url: str, tmp_path: Path
) -> None:
    admin_token = "e2e-admin-token-secret"
    env = dataflare_env(
        tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=admin_token, DATAFLARE_ADMIN_PASSWORD=PASSWORD
    )
    server = Server(env)
    secrets = [admin_token, PASSWORD, "ann's secret password"]
    try:
        server.wait_ready()
        graphql(
            server,
            admin_token,
            'mutation { createUser(input: {username: "ann", '
            f'password: "{secrets[2]}", role: "Editor"}}) {{ urn }} }}',
        )
        created = graphql(
            server,
            admin_token,
            'mutation { createAccessToken(input: {type: PERSONAL, actorUrn: "urn:li:corpuser:ann",'
            ' duration: ONE_HOUR, name: "x"}) { accessToken } }',
        ).json()["data"]["createAccessToken"]["accessToken"]
        secrets.append(created)
        assert graphql(server, created, RAISE).status_code == 200
        assert graphql(server, created + "x", RAISE).status_code == 401
        assert login(server, "ann", "wrong password!").status_code == 401
        signed_in = login(server, "ann", secrets[2])
        assert signed_in.status_code == 200
        listed = graphql(server, admin_token, "{ listAccessTokens(input: {}) { tokens { id } } }")
        assert not any(secret in listed.text for secret in secrets)
    finally:
        output = server.stop()
    assert not [secret for secret in secrets if secret in output], output
