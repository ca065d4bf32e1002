"""Who is asking, may they, and is the form theirs: sessions, permissions and CSRF.

Every route is declared with :func:`route`, which names the permission it needs from the one
permission table (:data:`homecoming.casework.accounts.PERMISSIONS`) or ``PUBLIC`` /
``SIGNED_IN``; the declaration is kept in :data:`ROUTE_PERMISSIONS` (a test walks it for every
role). A route that changes something is a POST and checks the CSRF token of its form
(:func:`check_csrf`): the session's token when signed in, else the double-submit cookie
``homecoming_csrf`` (log-in and the language switch).

Refusals are exceptions turned into pages by the app: :class:`LoginRequired` (a redirect to
``/login``), :class:`Forbidden` (a 403 page) and :class:`CsrfRefused` (a 403 page).

Pages that only read take no write lock: ``ctx.db`` is a
:class:`~homecoming.services.web_transactions.RequestDatabase` whose sessions are
*read-first* for GET and HEAD requests and the log-in (:data:`READ_FIRST_POSTS`): on SQLite
they begin DEFERRED, and a write in them (the audit of personal data shown, a renewed
session) becomes a write transaction only if nobody wrote since its first read; otherwise the
route runs again with write sessions (see that module). Other POST routes use ordinary write
sessions. Looking up the signed-in session is read-first too and writes only to renew it
(at most once a minute, :func:`homecoming.services.web_auth.resume_session`).
"""

from __future__ import annotations

import functools
import hmac
import inspect
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute

from homecoming.casework.accounts import allowed, roles_for
from homecoming.services.web_auth import WebSession, resume_session
from homecoming.services.web_transactions import NeedsWriteLock, RequestDatabase, run_read_first

__all__ = ["SESSION_COOKIE", "CSRF_COOKIE", "LANGUAGE_COOKIE", "PUBLIC", "SIGNED_IN",
           "ROUTE_PERMISSIONS", "Context", "LoginRequired", "Forbidden", "CsrfRefused",
           "route", "check_csrf", "context", "csrf_token_for", "api_routes",
           "READ_FIRST_POSTS", "is_read_first"]

SESSION_COOKIE = "homecoming_session"
CSRF_COOKIE = "homecoming_csrf"
LANGUAGE_COOKIE = "homecoming_lang"

#: a route anyone may open (log-in page, public statistics, language switch)
PUBLIC = "public"
#: a route for any signed-in account, whatever its roles (log-out)
SIGNED_IN = "signed-in"

#: (method, path) -> the permission it needs (or PUBLIC / SIGNED_IN)
ROUTE_PERMISSIONS: dict[tuple[str, str], str] = {}

#: POST routes whose sessions are read-first like a page's: one transaction, no uploaded
#: file, nothing outside the database, so running them again is safe (the log-in reads and
#: checks the password hash without holding the write lock)
READ_FIRST_POSTS = frozenset({"/login"})


def is_read_first(method: str, path: str) -> bool:
    """Whether the sessions of a request to (method, route path) are read-first."""
    return method in ("GET", "HEAD") or (method == "POST" and path in READ_FIRST_POSTS)


class LoginRequired(Exception):
    """No (live) session: go to the log-in page."""


class Forbidden(Exception):
    """Signed in, but no role of the account holds the permission."""

    def __init__(self, permission: str) -> None:
        super().__init__(permission)
        self.permission = permission


class CsrfRefused(Exception):
    """A form without the right CSRF token."""


@dataclass
class Context:
    """What a route gets: the request, the database and the signed-in person (or None)."""

    request: Request
    db: RequestDatabase
    web_session: WebSession | None

    @property
    def user(self) -> str | None:
        return self.web_session.account.name if self.web_session else None

    @property
    def roles(self) -> tuple[str, ...]:
        return self.web_session.account.roles if self.web_session else ()

    def may(self, permission: str) -> bool:
        return self.web_session is not None and allowed(self.roles, permission)


def _resolve(request: Request) -> Context:
    cached = getattr(request.state, "context", None)
    if cached is not None:
        return cached
    db = request.app.state.db
    token = request.cookies.get(SESSION_COOKIE)
    web_session = None
    if token:
        policy = request.app.state.config.policy
        lookup = RequestDatabase(db)  # writes only to renew the session (once a minute)

        def resume() -> WebSession | None:
            with lookup.session() as session:
                return resume_session(session, token, policy=policy)

        web_session = run_read_first(lookup, resume)
    read_first = is_read_first(request.method, request.url.path)
    ctx = Context(request, RequestDatabase(db, read_first=read_first), web_session)
    request.state.context = ctx
    return ctx


def context(request: Request) -> Context:
    """Dependency: the request's :class:`Context` (resolved once per request)."""
    return _resolve(request)


def csrf_token_for(request: Request) -> str:
    """The CSRF token the forms of this page must carry."""
    ctx = _resolve(request)
    if ctx.web_session is not None:
        return ctx.web_session.csrf_token
    token = getattr(request.state, "anonymous_csrf", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.anonymous_csrf = token
    return token


async def _form(request: Request) -> dict[str, Any]:
    if request.method != "POST":
        return {}
    form = await request.form()
    return {k: v for k, v in form.items()}


def check_csrf(request: Request, form: dict[str, Any] = Depends(_form)) -> None:
    """Dependency of every POST route: the form's ``csrf_token`` (or the ``X-CSRF-Token``
    header of an htmx request) must equal the session's token, or — before log-in — the
    ``homecoming_csrf`` cookie."""
    sent = str(form.get("csrf_token") or request.headers.get("x-csrf-token") or "")
    ctx = _resolve(request)
    expected = ctx.web_session.csrf_token if ctx.web_session is not None \
        else request.cookies.get(CSRF_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()


def _guard(permission: str) -> Callable[[Request], Context]:
    if permission not in (PUBLIC, SIGNED_IN):
        roles_for(permission)  # an unknown permission fails at import, not at request time

    def guard(request: Request) -> Context:
        ctx = _resolve(request)
        if permission == PUBLIC:
            return ctx
        if ctx.web_session is None:
            raise LoginRequired()
        if permission != SIGNED_IN and not allowed(ctx.roles, permission):
            raise Forbidden(permission)
        return ctx

    guard.permission = permission  # type: ignore[attr-defined]
    return guard


def route(router: APIRouter, method: str, path: str, permission: str,
          **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a route and the permission it needs; POST routes also check CSRF.

    The decorated function receives ``ctx: Context`` (its first parameter must be named
    ``ctx``), already checked."""
    method = method.upper()
    full = (router.prefix or "") + path
    ROUTE_PERMISSIONS[(method, full)] = permission
    dependencies = [Depends(check_csrf)] if method == "POST" else []

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        guarded = _guard(permission)
        sig = inspect.signature(fn)
        keyword = inspect.Parameter.KEYWORD_ONLY
        params = [p.replace(kind=keyword, default=Depends(guarded)) if p.name == "ctx"
                  else p.replace(kind=keyword) for p in sig.parameters.values()]
        fn.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        endpoint = _again_with_write_lock(fn) if is_read_first(method, full) else fn
        router.add_api_route(path, endpoint, methods=[method], dependencies=dependencies,
                             include_in_schema=False, **kwargs)
        return fn

    return decorate


def _again_with_write_lock(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` run again with write sessions if a read-first session lost the race for the
    write lock (:class:`~homecoming.services.web_transactions.NeedsWriteLock`)."""

    def write_mode(kwargs: dict[str, Any]) -> None:
        ctx = kwargs.get("ctx")
        if isinstance(ctx, Context):
            ctx.db.read_first = False

    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def run_async(**kwargs: Any) -> Any:
            try:
                return await fn(**kwargs)
            except NeedsWriteLock:
                write_mode(kwargs)
                return await fn(**kwargs)

        return run_async

    @functools.wraps(fn)
    def run(**kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except NeedsWriteLock:
            write_mode(kwargs)
            return fn(**kwargs)

    return run


def api_routes(app: FastAPI | APIRouter) -> list[APIRoute]:
    """Every page route of ``app`` (through included routers; FastAPI keeps an included
    router as one entry)."""
    out: list[APIRoute] = []
    for entry in app.routes:
        if isinstance(entry, APIRoute):
            out.append(entry)
        elif hasattr(entry, "original_router"):
            out.extend(api_routes(entry.original_router))
    return out
