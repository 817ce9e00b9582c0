"""The command line as a newcomer uses it: serve --demo (what `make run` runs), tokens, db."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, delete, select, text, update
from sqlalchemy.engine import make_url

from dataflare.cli.migration import count_figures
from dataflare.db.database import Database
from dataflare.db.migrate import alembic_config
from dataflare.incidents.models import INCIDENT_ROLLUPS
from dataflare.incidents.rollups import RAISED
from dataflare.incidents.rollups_rebuild import fill_if_missing
from dataflare.incidents.service import RaiseRequest, raise_incident
from tests.e2e.seed import localize, seed_requests
from tests.e2e.server import DATAFLARE, Server, dataflare_env, free_port

NEW_ASSET = "urn:li:dataset:(urn:li:dataPlatform:hive,brand_new,PROD)"
DATASET = "urn:li:dataset:(urn:li:dataPlatform:hive,orders,PROD)"


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


def demo_start(env: dict[str, str]) -> tuple[str, str]:
    """Start `dataflare serve --demo` (what `make run` runs), check the token it prints on the
    API, and stop it: (the token, its two lines of output)."""
    server = Server(env, "--demo")
    try:
        server.wait_ready()
        assert server.process.stdout is not None
        lines: list[str] = []
        while len(lines) < 2 or "access token:" not in lines[-2]:
            lines.append(server.process.stdout.readline().rstrip("\n"))
        token = lines[-2].split("access token:")[1].split()[0]
        answer = httpx.post(
            f"{server.url}/api/graphql",
            json={"query": "{ listUsers(input: {start: 0, count: 1}) { total } }"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert "errors" not in answer, answer
    finally:
        server.stop()
    return token, "\n".join(lines[-2:])


def test_make_run_reuses_its_token_while_it_lasts(demo_database_url: str, tmp_path: Path) -> None:
    database_url = demo_database_url  # the demo already loaded: this test is about the token
    env = dataflare_env(tmp_path, database_url)
    saved = tmp_path / "demo-token"

    first, said_first = demo_start(env)
    second, said_second = demo_start(env)

    assert second == first
    assert "new (30 days)" in said_first and "the last start's" in said_second
    assert saved.read_text() == f"{first}\n"
    assert saved.stat().st_mode & 0o777 == 0o600
    listed = run("tokens", "list", env=env).stdout.splitlines()
    [made] = [line.split("\t") for line in listed if "\tmake run\t" in line]
    expires = datetime.strptime(made[4], "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC)
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)
    assert f"valid until {made[4]}" in said_first

    run("tokens", "revoke", made[0], env=env)
    third, said_third = demo_start(env)
    assert third != first and "new (30 days)" in said_third
    assert saved.read_text() == f"{third}\n"

    # A token about to expire is not handed out: the next start makes another.
    engine = create_engine(database_url)
    with engine.begin() as connection:
        # 23 hours left
        connection.execute(
            text("UPDATE access_tokens SET expires_at = expires_at - :ms"),
            {"ms": (30 * 24 - 23) * 3_600_000},
        )
    engine.dispose()
    fourth, said_fourth = demo_start(env)
    assert fourth not in (first, third) and "new (30 days)" in said_fourth


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


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def test_db_upgrade_creates_the_sqlite_home_and_says_it_migrated(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "home"
    url = f"sqlite:///{home / 'dataflare.db'}"
    env = dataflare_env(home, url)

    done = run("db", "upgrade", env=env)
    again = run("db", "upgrade", env=env)

    assert done.returncode == 0, done.stderr
    assert (home / "dataflare.db").exists()
    head = head_revision()
    assert done.stderr == f"Migrated {url} from an empty database to revision {head}.\n"
    assert (again.returncode, again.stderr) == (
        0,
        f"Database {url} is up to date (revision {head}).\n",
    )


def test_db_upgrade_names_the_revisions_it_went_from_and_to(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0004_dedup")  # a database of an older release

    done = run("db", "upgrade", env=dataflare_env(tmp_path, url))

    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        f"Migrated {url} from revision 0004_dedup to revision {head_revision()}.\n"
    )


def test_db_upgrade_of_a_migrated_database_says_so_without_the_password(
    database_url: str, tmp_path: Path
) -> None:
    # PostgreSQL here trusts its clients, so a password in the URL is accepted and ignored.
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(password="s3cret")

    done = run("db", "upgrade", env=dataflare_env(tmp_path, url.render_as_string(False)))

    assert done.returncode == 0, done.stderr
    shown = url.render_as_string(hide_password=True)
    assert done.stderr == f"Database {shown} is up to date (revision {head_revision()}).\n"
    assert "s3cret" not in done.stderr


def test_db_rebuild_figures_counts_the_rollups_again(database_url: str, tmp_path: Path) -> None:
    """A rollup cell damaged by hand is counted right again; the command says how many."""
    db = Database(database_url)
    try:
        with db.session(write=True) as session:
            for state in ("ACTIVE", "RESOLVED"):
                request = RaiseRequest(type="SQL", resource_urn=DATASET, state=state)
                raise_incident(session, "urn:li:corpuser:datahub", request)
        with db.connection(write=True) as connection:
            before = _cells(connection)
            connection.execute(update(INCIDENT_ROLLUPS).values(n=INCIDENT_ROLLUPS.c.n + 5))

        done = run("db", "rebuild-figures", env=dataflare_env(tmp_path, database_url))

        assert done.returncode == 0, done.stderr
        assert done.stderr.startswith("Counted the figures of 2 incidents again in ")
        with db.connection() as connection:
            assert _cells(connection) == before
        raised_today = [
            n
            for (dimension, span, *_, measure, _), n in before.items()
            if dimension == "A" and span == 1 and measure == RAISED
        ]
        assert raised_today == [2]
    finally:
        db.dispose()


def test_db_upgrade_counts_the_rollups_a_migration_left_empty(
    database_url: str, tmp_path: Path
) -> None:
    """Migration 0023 makes the rollups empty; the command that migrates counts them."""
    db = Database(database_url)
    try:
        with db.session(write=True) as session:
            raise_incident(session, "urn:li:corpuser:datahub", RaiseRequest("SQL", DATASET))
        with db.connection(write=True) as connection:
            before = _cells(connection)
            connection.execute(delete(INCIDENT_ROLLUPS))  # as the migration leaves them

        done = run("db", "upgrade", env=dataflare_env(tmp_path, database_url))

        assert done.returncode == 0, done.stderr
        assert done.stderr.startswith("Counted the figures of 1 incidents (")
        with db.connection() as connection:
            assert _cells(connection) == before != {}
        again = run("db", "upgrade", env=dataflare_env(tmp_path, database_url))
        assert "Counted" not in again.stderr  # counted once
    finally:
        db.dispose()


def test_two_commands_migrating_at_once_count_the_rollups_once(
    database_url: str, tmp_path: Path
) -> None:
    """Two servers starting on one database with empty rollups: the second to count waits for
    the first, then finds them counted (it used to count them too, and fail on their rows)."""
    db = Database(database_url)
    counting, go_on = threading.Event(), threading.Event()

    def fill_then_wait(connection: Connection) -> int:
        counted = fill_if_missing(connection)
        counting.set()
        go_on.wait(60)  # the first command's transaction, still open
        return counted

    try:
        with db.session(write=True) as session:
            raise_incident(session, "urn:li:corpuser:datahub", RaiseRequest("SQL", DATASET))
        with db.connection(write=True) as connection:
            before = _cells(connection)
            connection.execute(delete(INCIDENT_ROLLUPS))  # as migration 0023 leaves them
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(count_figures, database_url, fill_then_wait)
            assert counting.wait(30)
            env = dataflare_env(tmp_path, database_url)
            second = subprocess.Popen(
                [DATAFLARE, "db", "upgrade"], env=env, stderr=subprocess.PIPE, text=True
            )
            _until_it_waits(db, second)
            go_on.set()
            assert first.result()[0] == 1
            _, said = second.communicate(timeout=60)
        assert second.returncode == 0, said
        assert "Counted" not in said  # counted once, by the first
        with db.connection() as connection:
            assert _cells(connection) == before != {}
    finally:
        go_on.set()
        db.dispose()


def _until_it_waits(db: Database, command: subprocess.Popen[str]) -> None:
    """Until the command waits for a lock: on PostgreSQL, seen waiting by the server; SQLite
    cannot tell, so a few seconds, more than it takes to start."""
    if db.engine.dialect.name != "postgresql":
        time.sleep(4)
        return
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() "
        "AND datname = current_database()"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and command.poll() is None:
        with db.connection() as connection:
            if connection.execute(waiting).scalar_one():
                return
        time.sleep(0.1)


def _cells(connection: Connection) -> dict[tuple[Any, ...], int]:
    return {tuple(row[:-1]): row[-1] for row in connection.execute(select(INCIDENT_ROLLUPS))}


def test_serve_on_a_port_in_use_says_so_in_one_line(tmp_path: Path) -> None:
    env = dataflare_env(tmp_path, f"sqlite:///{tmp_path / 'dataflare.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        done = subprocess.run(
            [DATAFLARE, "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"Error: port {port} is in use on 127.0.0.1")
    assert done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "dataflare.db").exists()  # refused before anything was written


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    env = dataflare_env(tmp_path, f"sqlite:///{tmp_path / 'dataflare.db'}")

    done = run("serve", "--port", str(free_port()), "--workers", "4", env=env)

    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("Error: --workers 4 needs PostgreSQL: SQLite takes one writer")
    assert "DATAFLARE_DATABASE_URL" in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "dataflare.db").exists()


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
