"""The FastAPI application: :func:`create_app` puts the pages, the security and the languages
together. ``homecoming serve`` runs it with uvicorn.

Pages are rendered on the server with Jinja2 (``templates/``); htmx and Leaflet come from
npm at set-up (``src/homecoming/web/package.json``, installed by ``make setup`` into
``src/homecoming/web/node_modules``, never committed) and are served under
``/static/vendor/``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from homecoming import __version__
from homecoming.errors import HomecomingError, NotFoundError
from homecoming.services.database import open_database
from homecoming.web import i18n, labels
from homecoming.web.config import WebConfig
from homecoming.web.security import (
    CSRF_COOKIE,
    LANGUAGE_COOKIE,
    Context,
    CsrfRefused,
    Forbidden,
    LoginRequired,
    csrf_token_for,
)

__all__ = ["create_app", "render", "WEB_DIR", "VENDOR_DIR", "vendor_missing"]

WEB_DIR = Path(__file__).resolve().parent
VENDOR_DIR = WEB_DIR / "node_modules"
#: URL folder -> the npm package folder it serves
VENDOR = {"htmx": VENDOR_DIR / "htmx.org" / "dist", "leaflet": VENDOR_DIR / "leaflet" / "dist"}

_env = Environment(loader=FileSystemLoader(str(WEB_DIR / "templates")),
                   autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                   extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
_env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
_env.filters.update(date=i18n.format_date, datetime=i18n.format_datetime,
                    number=i18n.format_number, percent=i18n.format_percentage,
                    label=labels.value_label, urlquote=lambda v: quote(str(v), safe=""),
                    scientific=i18n.format_scientific, isodatetime=i18n.format_iso_datetime)
_env.globals.update(field_label=labels.field_label, kind_label=labels.kind_label,
                    languages=i18n.LANGUAGES, version=__version__)


def vendor_missing() -> list[str]:
    """The npm packages the pages need that are not installed (run ``make setup``)."""
    return [name for name, path in VENDOR.items() if not path.is_dir()]


def render(ctx: Context, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    """Render ``template`` for this request (the signed-in person, the CSRF token of its
    forms, the language)."""
    request = ctx.request
    config: WebConfig = request.app.state.config
    html = _env.get_template(template).render(
        request=request, path=request.url.path, user=ctx.web_session.account
        if ctx.web_session else None, may=ctx.may, csrf_token=csrf_token_for(request),
        language=i18n.current(), config=config, **values)
    return HTMLResponse(html, status_code=status)


def _safe_next(target: str | None) -> str:
    """Only a local path may follow the log-in (no open redirect)."""
    if not target:
        return "/dashboard"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/dashboard"
    return target


def create_app(config: WebConfig | None = None, *, database: Any = None) -> FastAPI:
    """The web application on ``database`` (default: ``config.database_url``, checked to be
    reachable and at the newest schema)."""
    config = config or WebConfig.from_env()
    db = database if database is not None else open_database(config.database_url)
    app = FastAPI(title="Homecoming", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.config = config
    app.state.db = db

    app.mount("/static/app", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    for name, folder in VENDOR.items():
        if folder.is_dir():
            app.mount(f"/static/vendor/{name}", StaticFiles(directory=str(folder)),
                      name=f"vendor-{name}")
    if config.tile_dir is not None:
        app.mount("/tiles", StaticFiles(directory=str(config.tile_dir)), name="tiles")

    tile_origin = ""
    if config.tile_url and "://" in config.tile_url:
        parts = urlsplit(config.tile_url.replace("{s}", "a"))
        tile_origin = f" {parts.scheme}://{parts.netloc}"
        if "{s}" in config.tile_url:
            tile_origin = f" {parts.scheme}://*.{parts.netloc.split('.', 1)[-1]}"
    csp = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
           f"img-src 'self' data:{tile_origin}; connect-src 'self'; frame-ancestors 'none'; "
           "form-action 'self'; base-uri 'self'")

    @app.middleware("http")
    async def language_and_headers(request: Request, call_next: Any) -> Response:
        language = i18n.normalize(request.cookies.get(LANGUAGE_COOKIE)) \
            or i18n.DEFAULT_LANGUAGE
        started = time.perf_counter()
        with i18n.use(language):
            response: Response = await call_next(request)
        # the server's own time (benchmarks/bench_web.py reads it; browsers show it)
        response.headers["Server-Timing"] = \
            f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        token = getattr(request.state, "anonymous_csrf", None)
        if token is not None and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                                secure=config.secure_cookies, path="/")
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if "text/html" in response.headers.get("content-type", ""):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _ctx(request: Request) -> Context:
        from homecoming.web.security import _resolve

        try:
            return _resolve(request)
        except Exception:  # the database failed: render without a person
            return Context(request, db, None)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = "/login?next=" + quote(str(request.url.path) + (
            "?" + request.url.query if request.url.query else ""), safe="")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        with i18n.use(_language(request)):
            return render(_ctx(request), "error.html", status=403,
                          title=i18n.gettext("Not allowed"),
                          message=i18n.gettext("Your role does not allow this page."),
                          permission=exc.permission)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        with i18n.use(_language(request)):
            return render(_ctx(request), "error.html", status=403,
                          title=i18n.gettext("Form expired"),
                          message=i18n.gettext("The form was not sent from this session. "
                                               "Go back, reload the page and try again."),
                          permission=None)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        with i18n.use(_language(request)):
            return render(_ctx(request), "error.html", status=404,
                          title=i18n.gettext("Not found"), message=str(exc), permission=None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        with i18n.use(_language(request)):
            title = i18n.gettext("Not found") if exc.status_code == 404 else \
                i18n.gettext("Request refused")
            return render(_ctx(request), "error.html", status=exc.status_code, title=title,
                          message="", permission=None)

    @app.exception_handler(HomecomingError)
    async def input_error(request: Request, exc: HomecomingError) -> Response:
        with i18n.use(_language(request)):
            return render(_ctx(request), "error.html", status=400,
                          title=i18n.gettext("Request refused"),
                          message=str(exc).splitlines()[0] if str(exc) else "",
                          permission=None)

    from homecoming.web.views import (
        analysis,
        auth,
        dashboard,
        forms,
        identifications,
        lab,
        liaison,
        maps,
        records,
        register,
        statistics,
        users,
    )

    for module in (auth, dashboard, maps, forms, records, statistics, identifications, users,
                   lab, analysis, register, liaison):
        app.include_router(module.router)
    return app


def _language(request: Request) -> str:
    return i18n.normalize(request.cookies.get(LANGUAGE_COOKIE)) or i18n.DEFAULT_LANGUAGE
