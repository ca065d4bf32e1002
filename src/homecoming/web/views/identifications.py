"""Stored identifications and their review: the list, one identification (LR, per-marker
table, references, pedigree, runner-ups, review history) with the accept / confirm / reject
forms, and the review queue of the signed-in person. The four-eyes rules are enforced by
:mod:`homecoming.services.review`; a refusal is shown on the page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from homecoming.errors import HomecomingError, PermissionDenied
from homecoming.services import identifications, review
from homecoming.web import i18n, pedigree_svg
from homecoming.web.app import render
from homecoming.web.security import Context, route
from homecoming.web.views import liaison

router = APIRouter()

STATUSES = ("proposed", "reviewed", "confirmed", "rejected", "stale", "unresolved")


@route(router, "GET", "/identifications", "identifications.view")
def identification_list(ctx: Context, status: str = "", q: str = "", page: int = 1) -> Response:
    chosen = status if status in STATUSES else ""
    with ctx.db.session() as session:
        result = identifications.identification_page(
            session, status=chosen or None, search=q.strip()[:100] or None, page=page,
            page_size=ctx.request.app.state.config.page_size, actor=ctx.user)
    return render(ctx, "identifications_list.html", result=result, rows=result.rows,
                  chosen_status=chosen, q=q, statuses=STATUSES, list_url="/identifications")


@route(router, "GET", "/review", "identifications.view")
def review_queue(ctx: Context, page: int = 1) -> Response:
    with ctx.db.session() as session:
        result = review.review_queue_page(session, page=page,
                                          page_size=ctx.request.app.state.config.page_size,
                                          actor=ctx.user)
    return render(ctx, "review_queue.html", result=result, rows=result.rows, list_url="/review")


def _detail(ctx: Context, ident_id: str, *, error: str | None = None,
            status: int = 200, family_form: dict[str, Any] | None = None) -> Response:
    with ctx.db.session() as session:
        item = identifications.get_identification(session, ident_id, actor=ctx.user)
    markers = sorted(item["per_marker"].items())
    return render(ctx, "identification_detail.html", item=item, markers=markers, error=error,
                  status=status, drawing=pedigree_svg.layout(item["pedigree"]),
                  family=liaison.family_section(ctx, item, family_form))


@route(router, "GET", "/identifications/{ident_id}", "identifications.view")
def identification_page(ctx: Context, ident_id: str) -> Response:
    return _detail(ctx, ident_id)


def _step(ctx: Context, ident_id: str, action: str, note: str) -> Response:
    note = note.strip()[:2000]
    try:
        with ctx.db.session() as session:
            if action == "accept":
                review.accept(session, ident_id, note=note or None, actor=ctx.user)
            elif action == "confirm":
                review.confirm(session, ident_id, note=note or None, actor=ctx.user)
            else:
                review.reject(session, ident_id, reason=note, actor=ctx.user)
    except PermissionDenied as exc:
        return _detail(ctx, ident_id, error=str(exc).splitlines()[0], status=403)
    except HomecomingError as exc:
        if not note and action == "reject":
            return _detail(ctx, ident_id, status=400,
                           error=i18n.gettext("A reason is required to reject."))
        return _detail(ctx, ident_id, error=str(exc).splitlines()[0], status=409)
    return RedirectResponse(f"/identifications/{ident_id}", status_code=303)


@route(router, "POST", "/identifications/{ident_id}/accept", "review.accept")
def accept(ctx: Context, ident_id: str, note: str = Form("")) -> Response:
    return _step(ctx, ident_id, "accept", note)


@route(router, "POST", "/identifications/{ident_id}/confirm", "review.confirm")
def confirm(ctx: Context, ident_id: str, note: str = Form("")) -> Response:
    return _step(ctx, ident_id, "confirm", note)


@route(router, "POST", "/identifications/{ident_id}/reject", "review.reject")
def reject(ctx: Context, ident_id: str, reason: str = Form("")) -> Response:
    return _step(ctx, ident_id, "reject", reason)
