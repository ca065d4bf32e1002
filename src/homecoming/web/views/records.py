"""Lists (search, filters, pagination) and detail pages of the casework records."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from homecoming.errors import NotFoundError
from homecoming.services.records import audit_log
from homecoming.services.web_queries import KINDS, list_records, record_detail
from homecoming.web.app import render
from homecoming.web.security import Context, route

router = APIRouter()

#: detail-page link of a field that names another record: field -> kind
LINKS = {"site_id": "sites", "grave_id": "graves", "remains_code": "remains",
         "donor_id": "donors", "missing_person_id": "missing-persons",
         "incident_id": "incidents"}


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFoundError(f"record kind {kind!r} is unknown")
    return kind


@route(router, "GET", "/records/{kind}", "records.view")
def record_list(ctx: Context, kind: str, q: str = "", page: int = 1) -> Response:
    spec = KINDS[_kind(kind)]
    filters = {name: ctx.request.query_params.get(name, "") for name in spec.filters}
    with ctx.db.session() as session:
        result = list_records(session, kind, search=q, filters=filters, page=page,
                              page_size=ctx.request.app.state.config.page_size)
    template = "records_table.html" if ctx.request.headers.get("hx-request") \
        else "records_list.html"
    return render(ctx, template, spec=spec, result=result, links=LINKS, kinds=KINDS)


@route(router, "GET", "/records/{kind}/{key}", "records.view")
def record_page(ctx: Context, kind: str, key: str) -> Response:
    spec = KINDS[_kind(kind)]
    with ctx.db.session() as session:
        detail = record_detail(session, kind, key)
    return render(ctx, "record_detail.html", spec=spec, detail=detail, links=LINKS,
                  kinds=KINDS)


@route(router, "GET", "/records/{kind}/{key}/audit", "audit.view")
def record_audit(ctx: Context, kind: str, key: str) -> Response:
    """Who changed (or read) this record, when, and what changed."""
    spec = KINDS[_kind(kind)]
    with ctx.db.session() as session:
        record_detail(session, kind, key)  # 404 for a record that does not exist
        entries = audit_log(session, record=key, table=spec.table.name, actor=ctx.user)
    for entry in entries:
        before, after = entry["before"] or {}, entry["after"] or {}
        entry["changed"] = sorted(k for k in set(before) | set(after)
                                  if before.get(k) != after.get(k) and k != "genotypes")
    return render(ctx, "record_audit.html", spec=spec, key=key, entries=entries)
