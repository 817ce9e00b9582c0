"""What every page of the web UI shares: who is signed in, the CSRF check on posts, one
transaction per request, and errors turned into pages (or fragments) a person can read."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dataflare.access import sessions
from dataflare.access.roles import Caller
from dataflare.access.service import CSRF_HEADER
from dataflare.core.errors import DataflareError, Forbidden
from dataflare.core.limits import MAX_BODY_BYTES
from dataflare.db.database import Database
from dataflare.web.forms import Form, read_form
from dataflare.web.templating import templates

log = logging.getLogger("dataflare.web")
FORM_EXPIRED = "The form has expired or was not sent from this site: please reload and try again."


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a page."""

    caller: Caller
    csrf_token: str


@dataclass
class Call:
    """One request as a view sees it: the transaction, the user, the form fields."""

    request: Request
    session: Session
    viewer: Viewer
    form: dict[str, list[str]]

    def field(self, name: str) -> str:
        values = self.form.get(name)
        return values[0].strip() if values else ""

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    def render(
        self, template: str, context: dict[str, Any], status: int = 200, **headers: str
    ) -> Response:
        return render(self.request, template, {"viewer": self.viewer, **context}, status, headers)


View = Callable[[Call], Response]


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    response = templates.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(headers or {})
    return response


def error_page(request: Request, status: int, message: str, viewer: Viewer | None) -> Response:
    if request.headers.get("hx-request") == "true":  # a fragment: htmx shows it where it goes
        return render(request, "fragments/error.html", {"message": message}, status)
    context = {"viewer": viewer, "status": status, "message": message}
    return render(request, "error.html", context, status)


class Pages:
    """Runs views: `await pages.run(request, view)` in a read or write transaction."""

    def __init__(self, db: Database, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.db = db
        self.max_body_bytes = max_body_bytes

    async def run(self, request: Request, view: View, write: bool = False) -> Response:
        form: Form = {}
        if request.method == "POST":
            if not request.cookies.get(sessions.COOKIE_NAME):  # nobody to read a form for
                return to_login(request)
            try:
                form = await read_form(request, self.max_body_bytes)
            except DataflareError as error:
                return error_page(request, error.code, error.message, None)
        return await run_in_threadpool(self._run, request, view, form, write)

    def _run(
        self, request: Request, view: View, form: dict[str, list[str]], write: bool
    ) -> Response:
        viewer: Viewer | None = None
        try:
            with self.db.session(write=write) as session:
                viewer = find_viewer(session, request)
                if viewer is None:
                    return to_login(request)
                if request.method == "POST":
                    given = request.headers.get(CSRF_HEADER) or (form.get("csrf_token") or [""])[0]
                    if not sessions.csrf_matches(viewer.csrf_token, given):
                        raise Forbidden(FORM_EXPIRED)
                return view(Call(request, session, viewer, form))
        except DataflareError as error:  # raised inside: the transaction has rolled back
            return error_page(request, error.code, error.message, viewer)
        except Exception:
            request_id = uuid.uuid4().hex[:12]
            log.exception("request %s failed", request_id)
            message = f"Something went wrong on our side (request id {request_id})."
            return error_page(request, 500, message, viewer)


def find_viewer(session: Session, request: Request) -> Viewer | None:
    cookie = request.cookies.get(sessions.COOKIE_NAME)
    found = sessions.find_session(session, cookie) if cookie else None
    if found is None:
        return None
    web_session, user = found
    return Viewer(Caller(user.name, user.role), web_session.csrf_token)


def to_login(request: Request) -> Response:
    """Send a visitor who is not signed in to the login page, and back here afterwards."""
    if request.headers.get("hx-request") == "true":
        current = request.headers.get("hx-current-url", "/")
        path = "/" + current.split("://", 1)[-1].partition("/")[2]
        return Response(status_code=200, headers={"HX-Redirect": _login_url(path)})
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        here = "/"
    return RedirectResponse(_login_url(here), status_code=303)


def _login_url(path: str) -> str:
    return "/login?next=" + quote(path, safe="")
