"""Telling the family and returning the remains, on the identification page: the report PDFs
(technical and the family's version), the notification and release forms of the liaison
officer (only for a confirmed identification; errors beside the fields), their history, and
the death-registration export for the civil registry.

The use cases are :mod:`homecoming.services.release` and
:func:`homecoming.services.identifications.identification_report_data` with
:func:`homecoming.reports.identification.render_pdf` — the functions behind ``homecoming
notify``, ``homecoming release`` and ``homecoming report``.
"""

from __future__ import annotations

import datetime as _dt
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from homecoming.errors import InputError, NotFoundError
from homecoming.services import release as release_service
from homecoming.services.identifications import get_identification, identification_report_data
from homecoming.web import i18n
from homecoming.web.app import render
from homecoming.web.i18n import lazy
from homecoming.web.security import Context, route

router = APIRouter()

__all__ = ["router", "METHOD_LABELS", "family_section", "report_pdf"]

#: how the family was told: stored value -> label (translated when shown)
METHOD_LABELS: dict[str, str] = {
    "in-person": lazy("in person"), "phone": lazy("by phone"), "letter": lazy("by letter"),
    "video": lazy("by video call")}


def report_pdf(db: Any, ident_id: str, *, family: bool, actor: str | None) -> bytes:
    """The identification report of ``ident_id`` as PDF bytes (``family``: the family's
    version, no genotypes) — what ``homecoming report identification ID -o F.pdf
    [--family]`` writes."""
    from homecoming.reports.identification import render_pdf

    data = identification_report_data(db, ident_id, family=family, actor=actor)
    with tempfile.TemporaryDirectory(prefix="homecoming-report-") as folder:
        path = Path(folder) / "report.pdf"
        render_pdf(data, path)
        return path.read_bytes()


def _pdf_response(ctx: Context, ident_id: str, family: bool) -> Response:
    body = report_pdf(ctx.db, ident_id, family=family, actor=ctx.user)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in ident_id)[:80]
    name = f"{safe}-{'family' if family else 'report'}.pdf"
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@route(router, "GET", "/identifications/{ident_id}/report.pdf", "report.identification")
def identification_report(ctx: Context, ident_id: str) -> Response:
    return _pdf_response(ctx, ident_id, family=False)


@route(router, "GET", "/identifications/{ident_id}/family-report.pdf", "report.family")
def family_report(ctx: Context, ident_id: str) -> Response:
    return _pdf_response(ctx, ident_id, family=True)


def family_section(ctx: Context, item: dict[str, Any],
                   form: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the identification page shows of the family side: the relatives who may be told
    or receive the remains (donors of the missing person: id, name, relationship), whether
    the remains were released, the method labels, and a sent-back form (``form``: which
    form, its values and its errors)."""
    from homecoming.storage.repositories import Repositories

    donors: list[dict[str, str]] = []
    if ctx.may("notify.record") or ctx.may("release.record"):
        with ctx.db.session() as session:
            donors = [{"id": d.id, "full_name": d.full_name,
                       "relationship": d.relationship.value}
                      for d in sorted(Repositories(session).donors.list(
                          missing_person_id=item["missing_person"]), key=lambda d: d.id)]
    def dated(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**e, "on": _dt.date.fromisoformat(e["on"]) if isinstance(e.get("on"), str)
                 else e.get("on")} for e in entries]

    return {"donors": donors, "methods": METHOD_LABELS,
            "notifications": dated(item.get("notifications") or []),
            "releases": dated(item.get("releases") or []),
            "released": bool(item.get("releases")),
            "form": form or {"name": None, "values": {}, "errors": {}},
            "today": _dt.datetime.now(_dt.UTC).date().isoformat()}


def _redisplay(ctx: Context, ident_id: str, name: str, values: dict[str, str],
               errors: dict[str, str], status: int) -> Response:
    from homecoming.web.views.identifications import _detail

    return _detail(ctx, ident_id, status=status,
                   family_form={"name": name, "values": values, "errors": errors})


def _check_date(text: str, errors: dict[str, str]) -> _dt.date | None:
    try:
        day = _dt.date.fromisoformat(text)
    except ValueError:
        errors["on"] = i18n.gettext("Enter the date as YYYY-MM-DD.")
        return None
    if day > _dt.datetime.now(_dt.UTC).date():
        errors["on"] = i18n.gettext("The date must not be in the future.")
        return None
    return day


def _service_error(exc: InputError, person_field: str) -> tuple[str, str]:
    """(form field, message) for a refusal of the release service."""
    text = str(exc)
    if exc.field == "status":
        return "", _unconfirmed(str(exc.value))
    if exc.field == "--on" and "before identification" in text:
        return "on", i18n.gettext("The date is before the board confirmed the "
                                  "identification.")
    if exc.field == "donor":
        return person_field, i18n.gettext("This person is not a relative of the identified "
                                          "person.")
    if exc.field == "remains" and "already released" in text:
        return "", i18n.gettext("These remains were already returned.")
    if exc.field == "id":
        return "", i18n.gettext("A newer version of this identification exists; record it "
                                "there.")
    return ("on" if exc.field == "--on" else ""), text.splitlines()[0]


def _refuse_unconfirmed(item: dict[str, Any]) -> str | None:
    if item["status"] != "confirmed":
        return _unconfirmed(str(item["status"]))
    return None


def _unconfirmed(status: str) -> str:
    from homecoming.web.labels import value_label

    return i18n.gettext("Only a confirmed identification can be recorded here; this one is "
                        "%(status)s.") % {"status": value_label(status)}


@route(router, "POST", "/identifications/{ident_id}/notify", "notify.record")
def notify(ctx: Context, ident_id: str, contact: str = Form(""), method: str = Form(""),
           on: str = Form(""), note: str = Form("")) -> Response:
    """Record that the family was told (``homecoming notify``)."""
    with ctx.db.session() as session:
        item = get_identification(session, ident_id, actor=ctx.user)  # 404 first
    values = {"contact": contact.strip()[:64], "method": method.strip()[:20],
              "on": on.strip()[:20], "note": note.strip()[:2000]}
    errors: dict[str, str] = {}
    refused = _refuse_unconfirmed(item)
    if refused:
        errors[""] = refused
        return _redisplay(ctx, ident_id, "notify", values, errors, 409)
    if not values["contact"]:
        errors["contact"] = i18n.gettext("Choose the relative who was told.")
    if values["method"] not in METHOD_LABELS:
        errors["method"] = i18n.gettext("Choose how the family was told.")
    day = _check_date(values["on"], errors)
    if not errors:
        try:
            with ctx.db.session() as session:
                release_service.notify(session, ident_id, contact=values["contact"],
                                       method=values["method"], on=day,
                                       note=values["note"] or None, actor=ctx.user)
        except NotFoundError:
            errors["contact"] = i18n.gettext("No such relative is recorded.")
        except InputError as exc:
            field, message = _service_error(exc, "contact")
            errors[field] = message
        else:
            return RedirectResponse(f"/identifications/{ident_id}#family-contacts",
                                    status_code=303)
    return _redisplay(ctx, ident_id, "notify", values, errors, 400)


@route(router, "POST", "/identifications/{ident_id}/release", "release.record")
def release(ctx: Context, ident_id: str, to: str = Form(""), on: str = Form(""),
            documents: str = Form("")) -> Response:
    """Record that the remains were handed to the family (``homecoming release``)."""
    with ctx.db.session() as session:
        item = get_identification(session, ident_id, actor=ctx.user)  # 404 first
    values = {"to": to.strip()[:64], "on": on.strip()[:20],
              "documents": documents.strip()[:2000]}
    errors: dict[str, str] = {}
    refused = _refuse_unconfirmed(item)
    if refused:
        errors[""] = refused
        return _redisplay(ctx, ident_id, "release", values, errors, 409)
    if not values["to"]:
        errors["to"] = i18n.gettext("Choose the relative who receives the remains.")
    day = _check_date(values["on"], errors)
    if not errors:
        try:
            with ctx.db.session() as session:
                release_service.release(session, ident_id, to=values["to"], on=day,
                                        documents=values["documents"] or None,
                                        actor=ctx.user)
        except NotFoundError:
            errors["to"] = i18n.gettext("No such relative is recorded.")
        except InputError as exc:
            field, message = _service_error(exc, "to")
            errors[field] = message
        else:
            return RedirectResponse(f"/identifications/{ident_id}#family-contacts",
                                    status_code=303)
    return _redisplay(ctx, ident_id, "release", values, errors, 400)


@route(router, "GET", "/death-registration", "death_registration.export")
def death_registration(ctx: Context, format: str = "") -> Response:  # noqa: A002
    """Confirmed identifications for the civil registry: a table, or ``?format=csv`` (the
    CSV of ``homecoming report death-registration``)."""
    with ctx.db.session() as session:
        if format == "csv":
            text, _n = release_service.death_registration_csv(session, actor=ctx.user)
            return Response(text, media_type="text/csv; charset=utf-8", headers={
                "Content-Disposition": 'attachment; filename="death-registration.csv"',
                "Cache-Control": "no-store"})
        rows = release_service.death_registration_rows(session, actor=ctx.user)
    return render(ctx, "death_registration.html", rows=rows,
                  columns=release_service.DEATH_REGISTRATION_COLUMNS)
