"""The browser files over HTTP: gzipped when asked for, an ETag and a 304, a year's cache for a
URL carrying the content's version, and /favicon.ico."""

from __future__ import annotations

import os
import re
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from dataflare.web.static_files import FILES, IMMUTABLE, REVALIDATE, StaticFiles

APP_JS = (Path(__file__).parents[2] / "src/dataflare/web/static/app.js").read_bytes()
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
IDENTITY = {"Accept-Encoding": "identity"}


def test_a_script_is_gzipped_for_a_client_that_accepts_it(client: TestClient) -> None:
    packed = client.get("/static/app.js", headers=GZIP)
    assert packed.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert packed.headers["content-type"].startswith("text/javascript")
    assert packed.content == APP_JS  # the client unpacked it
    assert int(packed.headers["content-length"]) < len(APP_JS) / 2

    plain = client.get("/static/app.js", headers=IDENTITY)
    assert "content-encoding" not in plain.headers
    assert plain.content == APP_JS
    assert plain.headers["etag"] != packed.headers["etag"]  # two representations


def test_an_unchanged_file_answers_304_to_its_etag(client: TestClient) -> None:
    first = client.get("/static/app.css", headers=GZIP)
    assert first.headers["cache-control"] == REVALIDATE  # no version in the URL: ask each time
    again = client.get("/static/app.css", headers={**GZIP, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    other = client.get("/static/app.css", headers={**GZIP, "If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_pages_link_files_by_version_which_may_be_kept_a_year(client: TestClient) -> None:
    page = client.get("/login").text
    links = re.findall(r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]+)"', page)
    assert {link.split("?")[0] for link in links} >= {
        "/static/app.css",
        "/static/app.js",
        "/static/vendor/htmx.min.js",
        "/static/favicon.svg",
    }
    for link in links:
        answer = client.get(link, headers=GZIP)
        assert answer.status_code == 200, link
        assert answer.headers["cache-control"] == IMMUTABLE, link
    stale = client.get(links[0].split("?")[0] + "?v=0000", headers=GZIP)
    assert stale.headers["cache-control"] == REVALIDATE  # an old version is not kept


def test_the_favicon_answers_at_the_root_and_is_linked(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon"' in client.get("/login").text


def test_hidden_files_and_paths_outside_are_not_served(client: TestClient) -> None:
    for path in ("/static/vendor/.installed", "/static/../app.py", "/static/%2e%2e/app.py"):
        assert client.get(path).status_code == 404, path
    assert client.get("/static/nothing-here.js").status_code == 404


def test_a_file_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    files = StaticFiles(tmp_path)
    app = Starlette(routes=[Route("/static/{path:path}", files.serve)])
    script = tmp_path / "x.js"
    script.write_text("let a = 1;\n" * 200)
    with TestClient(app) as client:
        old_url = files.url("x.js")
        first = client.get(old_url, headers=GZIP)
        assert first.content == script.read_bytes()
        script.write_text("let b = 2;\n" * 300)
        os.utime(script, ns=(1, 1))  # a different modification time, whatever the clock
        second = client.get("/static/x.js", headers=GZIP)
        assert second.content == script.read_bytes()
        assert second.headers["etag"] != first.headers["etag"]
        assert files.url("x.js") != old_url


def test_every_vendored_file_has_a_version() -> None:
    vendored = sorted(p.name for p in (FILES.directory / "vendor").glob("*.js"))
    assert "htmx.min.js" in vendored and "axe.min.js" in vendored
    assert all(FILES.url(f"vendor/{name}").startswith("/static/vendor/") for name in vendored)
