"""What GraphiQL's page weighs on the wire, through a real server, for a client that accepts gzip
as browsers do: the page and every file it links to, under 1.5 MB (it was 4.2 MB uncompressed)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.e2e.server import dataflare_env, serving

PASSWORD = "a long enough password"
BROWSER_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br, zstd"}
LIMIT = 1_500_000


def transferred(client: httpx.Client, path: str) -> tuple[int, int]:
    """Bytes on the wire, then bytes unpacked, of the page at `path` and what it links to."""
    page = client.get(path)
    assert page.status_code == 200
    wire, unpacked = page.num_bytes_downloaded, len(page.content)
    for link in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        answer = client.get(link)
        assert answer.status_code == 200, link
        wire += answer.num_bytes_downloaded
        unpacked += len(answer.content)
    return wire, unpacked


def test_graphiql_page_transfers_under_one_and_a_half_megabytes(tmp_path: Path) -> None:
    env = dataflare_env(
        tmp_path, f"sqlite:///{tmp_path / 'd.db'}", DATAFLARE_ADMIN_PASSWORD=PASSWORD
    )
    with (
        serving(env) as server,
        httpx.Client(base_url=server.url, headers=BROWSER_ENCODINGS) as client,
    ):
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        signed_in = client.post(
            "/login",
            data={"username": "datahub", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert signed_in.status_code == 303

        wire, unpacked = transferred(client, "/api/graphiql")
        print(f"GraphiQL's page: {wire:,} bytes transferred, {unpacked:,} unpacked")
        assert unpacked > 4_000_000  # GraphiQL's whole bundle was fetched
        assert wire < LIMIT
