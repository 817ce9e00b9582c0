"""Sign in and out in a browser: GET/POST /login and POST /logout.

Every form post carries a CSRF token: the login form a signed double-submit cookie (there is no
session yet), the logout form its session's token.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dataflare.access import sessions
from dataflare.access.users import hash_matches
from dataflare.core.errors import DataflareError, Forbidden, RateLimited, Unauthenticated
from dataflare.core.limits import MAX_BODY_BYTES
from dataflare.db.database import Database
from dataflare.web.forms import read_form
from dataflare.web.templating import templates

FORM_COOKIE = "dataflare_login_csrf"
FORM_EXPIRED = "The form has expired or was not sent from this site: please try again."


def _cookie_options(request: Request) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": request.url.scheme == "https",
        "path": "/",
    }


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


class LoginViews:
    def __init__(self, db: Database, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.db = db
        self.max_body_bytes = max_body_bytes

    async def page(self, request: Request) -> Response:
        return await run_in_threadpool(self._page, request, None, 200, "")

    def _page(self, request: Request, error: str | None, status: int, username: str) -> Response:
        cookie = request.cookies.get(sessions.COOKIE_NAME)
        with self.db.session() as session:
            found = sessions.find_session(session, cookie) if cookie else None
            form_token = None if found else sessions.login_form_token(session)
        context: dict[str, Any] = {
            "user": found[1] if found else None,
            "csrf_token": found[0].csrf_token if found else None,
            "form_token": form_token,
            "error": error,
            "username": username,
            "next": _safe_next(request.query_params.get("next")),
        }
        response = templates.TemplateResponse(request, "login.html", context, status_code=status)
        if form_token is not None:
            response.set_cookie(FORM_COOKIE, form_token, **_cookie_options(request))
        return response

    async def login(self, request: Request) -> Response:
        try:
            form = await read_form(request, self.max_body_bytes)
        except DataflareError as error:
            return await run_in_threadpool(self._page, request, error.message, error.code, "")
        fields = {name: values[0] for name, values in form.items()}
        address = request.client.host if request.client else "unknown"
        return await run_in_threadpool(self._login, request, fields, address)

    def _login(self, request: Request, form: dict[str, str], address: str) -> Response:
        """Count the attempt, check the password outside any transaction (argon2 is slow by
        design: no write lock waits on it), then open the session."""
        username = form.get("username", "")
        opened: sessions.NewSession | None = None
        error, status = FORM_EXPIRED, 403
        try:
            attempt = self._start(request, form, username, address)
            if attempt is not None and hash_matches(
                attempt.password_hash, form.get("password", "")
            ):
                with self.db.session(write=True) as session:
                    try:  # caught inside the transaction: what it cleared must stay cleared
                        opened = sessions.finish_login(session, attempt)
                    except Unauthenticated as failure:
                        error, status = failure.message, failure.code
            elif attempt is not None:
                error, status = sessions.WRONG_LOGIN, Unauthenticated.code
        except RateLimited as failure:
            error, status = failure.message, failure.code
        if opened is None:
            return self._page(request, error, status, username)
        response = RedirectResponse(_safe_next(form.get("next")), status_code=303)
        response.set_cookie(
            sessions.COOKIE_NAME,
            opened.cookie,
            max_age=sessions.SESSION_LIFETIME_MS // 1000,
            **_cookie_options(request),
        )
        response.delete_cookie(FORM_COOKIE, path="/")
        return response

    def _start(
        self, request: Request, form: dict[str, str], username: str, address: str
    ) -> sessions.LoginAttempt | None:
        """The attempt counted and committed; None when the form's CSRF token is wrong."""
        with self.db.session(write=True) as session:
            if not sessions.login_form_token_valid(
                session, request.cookies.get(FORM_COOKIE), form.get("csrf_token")
            ):
                return None
            return sessions.start_login(session, username, address)

    async def logout(self, request: Request) -> Response:
        try:
            form = await read_form(request, self.max_body_bytes)
        except DataflareError as error:
            return await run_in_threadpool(self._page, request, error.message, error.code, "")
        token = next(iter(form.get("csrf_token", [])), None)
        return await run_in_threadpool(self._logout, request, token)

    def _logout(self, request: Request, csrf_token: str | None) -> Response:
        try:
            with self.db.session(write=True) as session:
                sessions.log_out(session, request.cookies.get(sessions.COOKIE_NAME), csrf_token)
        except Forbidden as refused:
            return self._page(request, refused.message, refused.code, "")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(sessions.COOKIE_NAME, path="/")
        return response
