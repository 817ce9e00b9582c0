"""What every page of the web UI shares: who is signed in, the CSRF check on posts, the
transactions (a page reads in one; a change writes in one, committed before the page after it is
read in another), and errors turned into pages (or fragments) a person can read."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
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
from dataflare.incidents.overview import active_total
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
        # The header's count of active incidents, read only by the pages that show it.
        active = functools.partial(active_total, self.session)
        shared = {"viewer": self.viewer, "active_total": active}
        return render(self.request, template, {**shared, **context}, status, headers)


View = Callable[[Call], Response]
T = TypeVar("T")


@dataclass(frozen=True)
class Change(Generic[T]):
    """A change made from a page. `apply` writes, in a write transaction that commits before
    anything is shown; then `show` renders what follows from its result, or `refused` the
    refusal it raised (which wrote nothing), in a read transaction: no write lock is held
    while a page is read and rendered."""

    apply: Callable[[Call], T]
    show: Callable[[Call, T], Response]
    refused: Callable[[Call, DataflareError], Response]


class _Refused(Exception):
    """Leave a change's transaction without committing, carrying the refusal to show."""

    def __init__(self, error: DataflareError) -> None:
        super().__init__(error.message)
        self.error = error


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
    """Runs views: `await pages.run(request, view)` reads in one transaction; a Change writes
    in one, then shows the page after it in another."""

    def __init__(self, db: Database, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.db = db
        self.max_body_bytes = max_body_bytes

    async def run(self, request: Request, view: View | Change[Any]) -> Response:
        form: Form = {}
        if request.method == "POST":
            if not request.cookies.get(sessions.COOKIE_NAME):  # nobody to read a form for
                return to_login(request)
            try:
                form = await read_form(request, self.max_body_bytes)
            except DataflareError as error:
                return error_page(request, error.code, error.message, None)
        return await run_in_threadpool(self._run, request, view, form)

    def _run(self, request: Request, view: View | Change[Any], form: Form) -> Response:
        seen: list[Viewer] = []  # who is signed in, once known: error pages show them too
        try:
            if isinstance(view, Change):
                return self._change(request, view, form, seen)
            with self.db.session() as session:
                if not _signed_in(session, request, form, seen):
                    return to_login(request)
                return view(Call(request, session, seen[0], form))
        except DataflareError as error:  # raised inside: the transaction has rolled back
            return error_page(request, error.code, error.message, seen[0] if seen else None)
        except Exception:
            request_id = uuid.uuid4().hex[:12]
            log.exception("request %s failed", request_id)
            message = f"Something went wrong on our side (request id {request_id})."
            return error_page(request, 500, message, seen[0] if seen else None)

    def _change(
        self, request: Request, change: Change[Any], form: Form, seen: list[Viewer]
    ) -> Response:
        outcome: Any = None
        refusal: DataflareError | None = None
        try:
            with self.db.session(write=True) as session:
                if not _signed_in(session, request, form, seen):
                    return to_login(request)
                try:
                    outcome = change.apply(Call(request, session, seen[0], form))
                except DataflareError as error:
                    raise _Refused(error) from error  # rolls back whatever it wrote
        except _Refused as refused:
            refusal = refused.error
        # Committed (or rolled back): the page after it is read in a transaction of its own.
        with self.db.session() as session:
            call = Call(request, session, seen[0], form)
            return change.show(call, outcome) if refusal is None else change.refused(call, refusal)


def _signed_in(session: Session, request: Request, form: Form, seen: list[Viewer]) -> bool:
    """Whether someone is signed in (noted in `seen`); a post must carry their CSRF token."""
    viewer = find_viewer(session, request)
    if viewer is None:
        return False
    seen.append(viewer)
    if request.method == "POST":
        given = request.headers.get(CSRF_HEADER) or (form.get("csrf_token") or [""])[0]
        if not sessions.csrf_matches(viewer.csrf_token, given):
            raise Forbidden(FORM_EXPIRED)
    return True


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
