"""PostgreSQL's own `pgbench`, run against the same server in the same benchmark run: the rate
a TPC-B-like transaction (three UPDATEs, a SELECT and an INSERT) reaches there, to compare
Dataflare's writes with what the database allows.

It runs on a throwaway database of its own (scale 10: ten branch rows, so the branch UPDATE
is a hot row shared by the clients, as in any TPC-B run), which is dropped at the end.

`hot_row_tps` is the shape of a raise on one asset, in plain SQL: insert a row that references
one parent row, update that row, commit; every client on the same row. It is what PostgreSQL
itself gets through one row that every transaction updates.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile

import psycopg
from pgdb import libpq_url, temporary_database

CLIENTS = 16
SCALE = 10
HOT_ROW_SETUP = """
CREATE TABLE parent (id integer PRIMARY KEY, changes integer NOT NULL);
INSERT INTO parent VALUES (1, 0);
CREATE TABLE child (id bigserial PRIMARY KEY, parent_id integer NOT NULL REFERENCES parent,
                    title text NOT NULL);
"""
HOT_ROW_SCRIPT = """BEGIN;
INSERT INTO child (parent_id, title) VALUES (1, 'Dataset Failed Quality Checks');
UPDATE parent SET changes = changes + 1 WHERE id = 1;
COMMIT;
"""
_TPS = re.compile(r"tps = ([0-9.]+) \(without initial connection time\)")


class PgbenchError(RuntimeError):
    pass


def tpcb_tps(server_url: str, seconds: float) -> float:
    """Transactions a second of pgbench's built-in TPC-B-like script, CLIENTS clients."""
    executable = _pgbench()
    with temporary_database(server_url) as url:
        conninfo = libpq_url(url)
        _run([executable, "--initialize", "--quiet", f"--scale={SCALE}", conninfo])
        return _tps(_run([executable, *_load(CLIENTS, seconds), conninfo]))


def hot_row_tps(server_url: str, seconds: float, clients: int) -> float:
    """Transactions a second of HOT_ROW_SCRIPT, `clients` clients on the one row."""
    executable = _pgbench()
    with temporary_database(server_url) as url, tempfile.NamedTemporaryFile("w") as script:
        conninfo = libpq_url(url)
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(HOT_ROW_SETUP)  # several statements: no parameters, so allowed
        script.write(HOT_ROW_SCRIPT)
        script.flush()
        command = [executable, "--no-vacuum", f"--file={script.name}", *_load(clients, seconds)]
        return _tps(_run([*command, conninfo]))


def _pgbench() -> str:
    executable = shutil.which("pgbench")
    if executable is None:
        raise PgbenchError("pgbench is not installed (Debian: postgresql-client)")
    return executable


def _load(clients: int, seconds: float) -> list[str]:
    return [f"--client={clients}", "--jobs=2", f"--time={max(1, round(seconds))}"]


def _tps(out: str) -> float:
    found = _TPS.search(out)
    if not found:
        raise PgbenchError(f"pgbench printed no tps:\n{out[-2000:]}")
    return float(found.group(1))


def _run(command: list[str]) -> str:
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=600
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PgbenchError(f"{command[0]} could not run: {error}") from error
    if completed.returncode != 0:
        raise PgbenchError(f"{' '.join(command[:2])} failed:\n{completed.stderr[-2000:]}")
    return completed.stdout + completed.stderr
