"""Lists (search, filters, pagination) and detail pages of the casework records."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from homecoming.errors import NotFoundError
from homecoming.services.records import audit_log
from homecoming.services.web_queries import KINDS, list_records, record_detail
from homecoming.web.app import render
from homecoming.web.security import Context, Forbidden, route

router = APIRouter()

#: detail-page link of a field that names another record: field -> kind
LINKS = {"site_id": "sites", "grave_id": "graves", "remains_code": "remains",
         "donor_id": "donors", "missing_person_id": "missing-persons",
         "incident_id": "incidents"}


#: kinds whose records name people: they need ``persons.view`` as well as ``records.view`` (a
#: lab, field, pathologist or monitor account never sees a name; issue 12 item 3)
PERSON_KINDS = {"missing-persons": "persons.view", "donors": "persons.view"}


def kind_permission(kind: str) -> str:
    """The permission a list or detail page of ``kind`` needs."""
    return PERSON_KINDS.get(kind, "records.view")


def _kind(kind: str, ctx: Context | None = None) -> str:
    if kind not in KINDS:
        raise NotFoundError(f"record kind {kind!r} is unknown")
    if ctx is not None and not ctx.may(kind_permission(kind)):
        raise Forbidden(kind_permission(kind))
    return kind


# the pages that show names are routes of their own (declared before the generic ones, which
# they shadow), so that the route x role matrix sees their permission
@route(router, "GET", "/records/missing-persons", "persons.view")
def missing_person_list(ctx: Context, q: str = "", page: int = 1) -> Response:
    return _list(ctx, "missing-persons", q, page)


@route(router, "GET", "/records/missing-persons/{key}", "persons.view")
def missing_person_page(ctx: Context, key: str) -> Response:
    return _detail(ctx, "missing-persons", key)


@route(router, "GET", "/records/donors", "persons.view")
def donor_list(ctx: Context, q: str = "", page: int = 1) -> Response:
    return _list(ctx, "donors", q, page)


@route(router, "GET", "/records/donors/{key}", "persons.view")
def donor_page(ctx: Context, key: str) -> Response:
    return _detail(ctx, "donors", key)


@route(router, "GET", "/records/{kind}", "records.view")
def record_list(ctx: Context, kind: str, q: str = "", page: int = 1) -> Response:
    return _list(ctx, kind, q, page)


def _list(ctx: Context, kind: str, q: str, page: int) -> Response:
    spec = KINDS[_kind(kind, ctx)]
    filters = {name: ctx.request.query_params.get(name, "") for name in spec.filters}
    with ctx.db.session() as session:
        result = list_records(session, kind, search=q, filters=filters, page=page,
                              page_size=ctx.request.app.state.config.page_size,
                              actor=ctx.user)
    template = "records_table.html" if ctx.request.headers.get("hx-request") \
        else "records_list.html"
    kinds = {k: v for k, v in KINDS.items() if ctx.may(kind_permission(k))}
    return render(ctx, template, spec=spec, result=result, links=LINKS, kinds=kinds)


@route(router, "GET", "/records/{kind}/{key}", "records.view")
def record_page(ctx: Context, kind: str, key: str) -> Response:
    return _detail(ctx, kind, key)


def _detail(ctx: Context, kind: str, key: str) -> Response:
    spec = KINDS[_kind(kind, ctx)]
    with ctx.db.session() as session:
        detail = record_detail(session, kind, key, actor=ctx.user)
    for related in list(detail.related):  # e.g. an incident's missing persons (names)
        if related in KINDS and not ctx.may(kind_permission(related)):
            del detail.related[related]
    return render(ctx, "record_detail.html", spec=spec, detail=detail, links=LINKS,
                  kinds=KINDS)


@route(router, "GET", "/records/{kind}/{key}/audit", "audit.view")
def record_audit(ctx: Context, kind: str, key: str) -> Response:
    """Who changed (or read) this record, when, and what changed."""
    spec = KINDS[_kind(kind, ctx)]
    with ctx.db.session() as session:
        record_detail(session, kind, key)  # 404 for a record that does not exist
        entries = audit_log(session, record=key, table=spec.table.name, actor=ctx.user)
    for entry in entries:
        before, after = entry["before"] or {}, entry["after"] or {}
        entry["changed"] = sorted(k for k in set(before) | set(after)
                                  if before.get(k) != after.get(k) and k != "genotypes")
    return render(ctx, "record_audit.html", spec=spec, key=key, entries=entries)
