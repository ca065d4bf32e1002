"""The missing-persons register (families' side): the register with search (Cyrillic
included), filters and pages; one person's file with the family pedigree (SVG), the donors and
their consent scope, the identifications, notifications and releases; and the withdrawal of a
donor's consent, which says beforehand what it will do (the donor's profiles leave screening
and identification; reviewed or confirmed identifications that used the reference are flagged
for review) and shows afterwards what it did.

Permission ``persons.view`` for the pages (a lab, field, pathologist or monitor account never
sees a name), ``donors.write`` for the withdrawal. No genotype is read here.
"""

from __future__ import annotations

import datetime as _dt
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from homecoming.errors import InputError
from homecoming.services import consent, register
from homecoming.services.web_queries import KINDS
from homecoming.web import i18n, pedigree_svg
from homecoming.web.app import render
from homecoming.web.security import Context, route
from homecoming.web.views.liaison import METHOD_LABELS

router = APIRouter()

__all__ = ["router", "person_page_response"]


#: fields of a missing person shown as dates in the page's language
_DATE_FIELDS = ("birth_date", "last_seen_on", "reported_on")


def _as_date(value: Any) -> Any:
    if isinstance(value, str) and value:
        try:
            return _dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


@route(router, "GET", "/register", "persons.view")
def register_list(ctx: Context, q: str = "", page: int = 1) -> Response:
    spec = KINDS["missing-persons"]
    filters = {name: ctx.request.query_params.get(name, "") for name in spec.filters}
    with ctx.db.session() as session:
        result = register.register_page(session, search=q, filters=filters, page=page,
                                        page_size=ctx.request.app.state.config.page_size,
                                        actor=ctx.user)
        partial = bool(ctx.request.headers.get("hx-request"))
        waiting = register.families_waiting(session, actor=ctx.user) \
            if not partial and ctx.may("notify.record") else []
    template = "register_table.html" if partial else "register_list.html"
    return render(ctx, template, spec=spec, result=result, waiting=waiting)


@route(router, "GET", "/register/donors.csv", "records.export")
def donors_export(ctx: Context) -> Response:
    """The reference donors as CSV (``homecoming export records donors``). For an account
    with the investigator role and not the analyst role the export is for court: donors who
    consented to identification only (or withdrew consent) are left out, and the
    ``X-Withheld`` header says how many."""
    from homecoming.services.exports import export_records

    stats: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="homecoming-export-") as folder:
        path = Path(folder) / "donors.csv"
        export_records(ctx.db, "donors", path, actor=ctx.user, stats=stats)
        body = path.read_bytes()
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="donors.csv"',
        "Cache-Control": "no-store", "X-Withheld": str(stats.get("withheld", 0))})


def person_page_response(ctx: Context, person_id: str, *, status: int = 200,
                         form: dict[str, Any] | None = None,
                         errors: dict[str, str] | None = None,
                         withdrawn: dict[str, Any] | None = None) -> Response:
    """The page of one missing person (``form``/``errors``: a withdrawal form sent back with
    its errors beside the fields; ``withdrawn``: what a withdrawal just did)."""
    with ctx.db.session() as session:
        file = register.person_file(session, person_id, actor=ctx.user)
    person = {name: _as_date(value) if name in _DATE_FIELDS else value
              for name, value in file["person"].items()}
    return render(ctx, "register_person.html", status=status, file=file,
                  person=person, drawing=pedigree_svg.layout(file["pedigree"]),
                  form=form or {}, errors=errors or {}, withdrawn=withdrawn,
                  today=_dt.datetime.now(_dt.UTC).date().isoformat(),
                  methods=METHOD_LABELS)


@route(router, "GET", "/register/{person_id}", "persons.view")
def person_page(ctx: Context, person_id: str) -> Response:
    return person_page_response(ctx, person_id)


@route(router, "POST", "/register/donors/{donor_id}/withdraw", "donors.write")
def withdraw(ctx: Context, donor_id: str, on: str = Form(""), reason: str = Form("")
             ) -> Response:
    """Record the withdrawal of ``donor_id``'s consent (date ``on``, ``reason``)."""
    from homecoming.storage.repositories import Repositories

    with ctx.db.session() as session:
        person_id = Repositories(session).donors.get(donor_id).missing_person_id  # 404
    form = {"donor": donor_id, "on": on.strip()[:20], "reason": reason.strip()[:2000]}
    errors: dict[str, str] = {}
    day: _dt.date | None = None
    try:
        day = _dt.date.fromisoformat(form["on"])
    except ValueError:
        errors["on"] = i18n.gettext("Enter the date as YYYY-MM-DD.")
    else:
        if day > _dt.datetime.now(_dt.UTC).date():
            errors["on"] = i18n.gettext("The date must not be in the future.")
    if not form["reason"]:
        errors["reason"] = i18n.gettext("Say why the consent is withdrawn.")
    if not errors:
        try:
            with ctx.db.session() as session:
                result = consent.withdraw_consent(session, donor_id, on=day,
                                                  reason=form["reason"], actor=ctx.user)
        except InputError as exc:
            field = "on" if exc.field == "--on" else "reason" if exc.field == "--reason" \
                else "donor"
            errors[field] = _withdraw_message(exc)
        else:
            return person_page_response(ctx, person_id, withdrawn=result.to_dict())
    return person_page_response(ctx, person_id, status=400, form=form, errors=errors)


def _withdraw_message(exc: InputError) -> str:
    text = str(exc)
    if "already withdrawn" in text:
        return i18n.gettext("This donor's consent was already withdrawn.")
    if "before the consent was given" in text:
        return i18n.gettext("The date is before the consent was given.")
    return text.splitlines()[0]
