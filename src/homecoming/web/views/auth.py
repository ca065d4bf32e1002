"""Log-in, log-out and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from homecoming.services.web_auth import (
    AccountLocked,
    LoginRefused,
    close_session,
    log_in,
    open_session,
    set_session_language,
)
from homecoming.web import i18n
from homecoming.web.app import _safe_next, render
from homecoming.web.security import (
    LANGUAGE_COOKIE,
    PUBLIC,
    SESSION_COOKIE,
    SIGNED_IN,
    Context,
    route,
)

router = APIRouter()


@route(router, "GET", "/", PUBLIC)
def home(ctx: Context) -> Response:
    return RedirectResponse("/dashboard" if ctx.web_session else "/login", status_code=303)


@route(router, "GET", "/login", PUBLIC)
def login_page(ctx: Context, next: str = "") -> Response:
    if ctx.web_session is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(ctx, "login.html", next=_safe_next(next), error=None, name="")


@route(router, "POST", "/login", PUBLIC)
def login_submit(ctx: Context, name: str = Form(""), password: str = Form(""),
                 next: str = Form("")) -> Response:
    config = ctx.request.app.state.config
    error = None
    token = None
    with ctx.db.session() as session:
        try:
            account = log_in(session, name, password, policy=config.policy)
            token, _ = open_session(session, account.name, language=i18n.current(),
                                    policy=config.policy)
        except AccountLocked as exc:
            error = i18n.gettext("Too many failed log-ins. This account is locked until "
                                 "%(time)s UTC.") % {"time": i18n.format_datetime(exc.until,
                                                                                  "short")}
        except LoginRefused:
            error = i18n.gettext("Wrong account name or password.")
    if token is None:
        return render(ctx, "login.html", status=401, next=_safe_next(next), error=error,
                      name=name[:200])
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=config.secure_cookies, path="/",
                        max_age=int(config.policy.session_lifetime.total_seconds()))
    return response


@route(router, "POST", "/logout", SIGNED_IN)
def logout(ctx: Context) -> Response:
    with ctx.db.session() as session:
        close_session(session, ctx.request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@route(router, "POST", "/language", PUBLIC)
def switch_language(ctx: Context, request: Request, language: str = Form(""),
                    next: str = Form("")) -> Response:
    chosen = i18n.normalize(language) or i18n.DEFAULT_LANGUAGE
    token = request.cookies.get(SESSION_COOKIE)
    if ctx.web_session is not None and token:
        with ctx.db.session() as session:
            set_session_language(session, token, chosen)
    response = RedirectResponse(_safe_next(next or "/"), status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, chosen, samesite="lax", path="/",
                        max_age=365 * 24 * 3600,
                        secure=ctx.request.app.state.config.secure_cookies)
    return response
