"""The web UI's browser files (web/static): compressed, with an ETag, and cached by browsers.

Each file is read once a process (again when it changes on disk) and named by a hash of its
content: pages link to `/static/app.css?v=<hash>` (the `static_url` template filter), which a
browser may keep for a year without asking again, since a new content is a new URL. A request
without that version (or with an old one) is answered `no-cache`: the browser asks each time, and
a 304 answers when its copy's ETag still matches. Text files go gzipped to a client that accepts
it (GraphiQL's 3.5 MB script travels as about 0.7 MB), compressed once, when first asked so.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

STATIC = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = (".css", ".js", ".svg", ".ico", ".json", ".map", ".txt", ".html")
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".ico": "image/x-icon"}


@dataclass
class StaticFile:
    body: bytes
    version: str  # a hash of the content
    media_type: str
    stamp: tuple[int, int]  # the file's modification time and size, to notice a change
    compressible: bool
    # Made when first asked for (a page naming the file only needs its version); None when it
    # would not be smaller.
    packed: bytes | None = None
    packed_yet: bool = False

    def gzipped(self) -> bytes | None:
        if self.compressible and not self.packed_yet:
            packed = gzip.compress(self.body, compresslevel=9, mtime=0)
            self.packed = packed if len(packed) < len(self.body) * 0.9 else None
            self.packed_yet = True
        return self.packed

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @property
    def gzip_etag(self) -> str:
        return f'"{self.version}-gzip"'


class StaticFiles:
    """The files of one folder, loaded on first use and kept while unchanged on disk."""

    def __init__(self, directory: Path = STATIC) -> None:
        self.directory = directory
        self._files: dict[str, StaticFile] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> StaticFile | None:
        path = self._path(name)
        if path is None:
            return None
        status = path.stat()
        stamp = (status.st_mtime_ns, status.st_size)
        known = self._files.get(name)
        if known is not None and known.stamp == stamp:
            return known
        with self._lock:
            known = self._files.get(name)
            if known is None or known.stamp != stamp:
                known = self._files[name] = _load(path, stamp)
            return known

    def url(self, name: str) -> str:
        """The file's URL with its content's version, for pages to link to (without one when
        the file is missing: the set-up has not copied the npm packages' files, and the link
        then fails alone, not the page)."""
        found = self.get(name)
        return f"/static/{name}?v={found.version}" if found else f"/static/{name}"

    def _path(self, name: str) -> Path | None:
        if not name or any(part.startswith(".") for part in name.split("/")):
            return None  # no hidden files (the set-up's stamp), no way up the tree
        path = (self.directory / name).resolve()
        if not path.is_relative_to(self.directory.resolve()) or not path.is_file():
            return None
        return path

    async def serve(self, request: Request) -> Response:
        return await self.respond(request, request.path_params["path"])

    def _packed(self, name: str) -> tuple[StaticFile, bytes | None] | None:
        found = self.get(name)
        if found is None:
            return None
        with self._lock:  # one thread compresses a file; the others wait for it
            return found, found.gzipped()

    async def respond(self, request: Request, name: str) -> Response:
        if _accepts_gzip(request):
            answer = await run_in_threadpool(self._packed, name)
        else:
            plain = await run_in_threadpool(self.get, name)
            answer = (plain, None) if plain else None
        if answer is None:
            raise HTTPException(404)
        found, gzipped = answer
        cache = IMMUTABLE if request.query_params.get("v") == found.version else REVALIDATE
        etag = found.gzip_etag if gzipped is not None else found.etag
        headers = {"etag": etag, "cache-control": cache, "vary": "Accept-Encoding"}
        asked = request.headers.get("if-none-match", "")
        if asked and (asked.strip() == "*" or etag in _tags(asked)):
            return Response(status_code=304, headers=headers)
        if gzipped is not None:
            headers["content-encoding"] = "gzip"
            return Response(gzipped, media_type=found.media_type, headers=headers)
        return Response(found.body, media_type=found.media_type, headers=headers)


def _load(path: Path, stamp: tuple[int, int]) -> StaticFile:
    body = path.read_bytes()
    version = hashlib.sha256(body).hexdigest()[:16]
    suffix = path.suffix.lower()
    media_type = MEDIA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or ""
    compressible = suffix in COMPRESSIBLE and len(body) > 512
    return StaticFile(body, version, media_type or "application/octet-stream", stamp, compressible)


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=").strip()
            return quality not in ("0", "0.0", "0.00", "0.000")
    return False


def _tags(header: str) -> set[str]:
    """The ETags an If-None-Match names, weak ones (W/"...") as their strong form."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


FILES = StaticFiles()
