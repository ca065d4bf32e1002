"""Accounts (admin): who may use Homecoming, with which roles, and whether a password is set."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from homecoming.services.accounts import list_users
from homecoming.web.app import render
from homecoming.web.security import Context, route

router = APIRouter()


@route(router, "GET", "/users", "users.view")
def users(ctx: Context) -> Response:
    with ctx.db.session() as session:
        accounts = [a.to_dict() for a in list_users(session, actor=ctx.user)]
    return render(ctx, "users.html", accounts=accounts)
