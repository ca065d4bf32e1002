"""Create and edit forms of the casework records, and the chain-of-custody page of a sample or
remains (issue 12 item 4).

Routes (each kind's own write permission from the permission table):

* ``GET/POST /records/<kind>/new`` — a new record (query parameters prefill fields, e.g.
  ``/records/remains/new?grave_id=G-1``);
* ``GET/POST /records/<kind>/<key>/edit`` — change a stored record (compare-and-set on its
  row version: a concurrent edit is refused, not lost);
* ``GET /records/samples/<key>/custody`` and ``/records/remains/<key>/custody`` — the
  timeline of transfers with the breaks highlighted; ``POST`` the same path records a
  transfer (``custody.write``).

Every input has a label and an ``id``/``name`` equal to the model's field name; errors are
shown beside their field (``#<field>-error``) and summed up at the top; the save button is
``#save``. The use cases are :mod:`homecoming.services.editing`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from homecoming.errors import HomecomingError, NotFoundError, PermissionDenied
from homecoming.services import editing
from homecoming.storage.database import ConcurrentChangeError
from homecoming.web import i18n
from homecoming.web.app import render
from homecoming.web.i18n import lazy
from homecoming.web.security import Context, route

__all__ = ["router", "CREATE_PATHS", "EDIT_PATHS", "CUSTODY_PATHS", "error_text"]

router = APIRouter()

#: the create routes (POST answers 422 with the errors when the form is not valid)
CREATE_PATHS: dict[str, str] = {k: f"/records/{k}/new" for k in editing.FORM_KINDS}
#: the edit routes
EDIT_PATHS: dict[str, str] = {k: f"/records/{k}/{{key}}/edit" for k in editing.FORM_KINDS}
#: the custody pages of the items with a chain of custody
CUSTODY_PATHS: dict[str, str] = {k: f"/records/{k}/{{key}}/custody"
                                 for k in ("samples", "remains")}

#: nested fields: the parts of a line, shown as the field's hint
_FIELD_PARTS_SEPARATOR = "; "

_NEW_TITLES: dict[str, str] = {
    "sites": lazy("New burial site"),
    "hazard-areas": lazy("New hazard area"),
    "incidents": lazy("New incident"),
    "graves": lazy("New grave"),
    "exhumations": lazy("New exhumation"),
    "remains": lazy("New remains"),
    "examinations": lazy("New post-mortem examination"),
    "samples": lazy("New sample"),
    "missing-persons": lazy("New missing person"),
    "donors": lazy("New reference donor"),
}
_EDIT_TITLES: dict[str, str] = {
    "sites": lazy("Edit burial site %(key)s"),
    "hazard-areas": lazy("Edit hazard area %(key)s"),
    "incidents": lazy("Edit incident %(key)s"),
    "graves": lazy("Edit grave %(key)s"),
    "exhumations": lazy("Edit exhumation %(key)s"),
    "remains": lazy("Edit remains %(key)s"),
    "examinations": lazy("Edit post-mortem examination %(key)s"),
    "samples": lazy("Edit sample %(key)s"),
    "missing-persons": lazy("Edit missing person %(key)s"),
    "donors": lazy("Edit reference donor %(key)s"),
}


def error_text(code: str, expected: str) -> str:
    """The message shown beside a field: translated for the usual problems, otherwise the
    model's own expectation (English) after a translated lead-in."""
    text = expected.strip()
    where = re.search(r" \(line (\d+)(?:, (\w+))?\)$", text)
    if where:  # a problem in one line of a list field
        detail = text[:where.start()]
        inner = i18n.gettext("Use one of: %(values)s") % {
            "values": detail.removeprefix("one of ")} if detail.startswith("one of ") \
            else error_text(code, detail)
        place = i18n.gettext("line %(line)s") % {"line": where.group(1)}
        if where.group(2):
            place += f", {_part_label(where.group(2))}"
        return f"{inner.rstrip('.')} ({place})."
    if code == "missing" or text.startswith("a value (the field is required)"):
        return i18n.gettext("Required: enter a value.")
    if code == "exists":
        return i18n.gettext("This identifier is already taken; enter a new one.")
    if code == "not_found":
        return i18n.gettext("No stored record has this identifier.")
    if code == "conflict":
        return i18n.gettext("Someone else changed this record after you opened the form. "
                            "Your changes were not saved: open the form again to see the "
                            "new values.")
    if code == "transition":
        return i18n.gettext("This status change is not allowed from the current status "
                            "(%(detail)s).") % {"detail": text}
    known: dict[str, Callable[[], str]] = {
        # rules between fields (casework models)
        "minimum_individuals <= 1 for a single grave": lambda: i18n.gettext(
            "A single grave holds at most one individual: choose the grave type 'mass' for "
            "more."),
        "remains_code (and no donor_id)": lambda: i18n.gettext(
            "A sample from remains needs the remains code (and no donor)."),
        "donor_id (and no remains_code)": lambda: i18n.gettext(
            "A sample from a donor needs the donor (and no remains code)."),
        "a verification_method for a verified site": lambda: i18n.gettext(
            "A verified site needs a verification method."),
        "no verified_on date unless": lambda: i18n.gettext(
            "A verification date is given only for a verified site."),
        "verified_on (": lambda: i18n.gettext(
            "The verification date must be on or after the report date."),
        "no reported_by for an anonymous report": lambda: i18n.gettext(
            "An anonymous report names no reporter."),
        "occurred_until (": lambda: i18n.gettext(
            "The end date must be on or after the date it happened."),
        "cleared=true when": lambda: i18n.gettext(
            "Tick 'Cleared' when a clearance date or who cleared it is given."),
        "ended_on (": lambda: i18n.gettext("The end date must be on or after the start date."),
        "a sex matching relationship": lambda: i18n.gettext(
            "The sex does not match the relationship."),
        "last_seen_on on or after birth_date": lambda: i18n.gettext(
            "The last-seen date must be on or after the date of birth."),
        "reported_on on or after last_seen_on": lambda: i18n.gettext(
            "The report date must be on or after the last-seen date."),
        "status 'military' when a military_unit is given": lambda: i18n.gettext(
            "A military unit is given only with the status 'military'."),
        # values of one field
        "an ISO date (YYYY-MM-DD)": lambda: i18n.gettext("Enter a date as YYYY-MM-DD."),
        "an ISO date-time": lambda: i18n.gettext("Enter a date and time as "
                                                 "YYYY-MM-DD HH:MM (UTC)."),
        "a date not in the future": lambda: i18n.gettext("The date must not be in the "
                                                         "future."),
        "a date-time not in the future": lambda: i18n.gettext("The time must not be in the "
                                                              "future."),
        "a whole number": lambda: i18n.gettext("Enter a whole number."),
        "a number >=": lambda: i18n.gettext("Enter a number that is not below the allowed "
                                            "minimum (%(detail)s).") % {"detail": text},
        "a number <=": lambda: i18n.gettext("Enter a number that is not above the allowed "
                                            "maximum (%(detail)s).") % {"detail": text},
        "a number": lambda: i18n.gettext("Enter a number."),
        "one of": lambda: i18n.gettext("Choose one of the values offered."),
        "latitude, longitude": lambda: i18n.gettext(
            "Enter latitude, longitude in decimal degrees (e.g. 49.2001, 37.2803) or a "
            "GeoJSON geometry."),
        "a number or a range": lambda: i18n.gettext("Enter a number or a range such as "
                                                    "30-45."),
        "a text matching": lambda: i18n.gettext("Use letters, digits and . _ : / - only, "
                                                "no spaces."),
        "a non-empty text": lambda: i18n.gettext("Required: enter a value."),
        "one line of text": lambda: i18n.gettext("Enter one line of text without control "
                                                 "characters."),
    }
    for lead, message in known.items():
        if text.startswith(lead):
            return message()
    return i18n.gettext("Not valid: expected %(detail)s.") % {"detail": text.rstrip(".")}


#: the parts of a line of a nested field that have no field label of their own
_PART_LABELS: dict[str, str] = {
    "body_region": lazy("body region"),
    "perimortem": lazy("perimortem (true or false)"),
    "foreign_object_id": lazy("foreign object id"),
    "role": lazy("role"),
    "organisation": lazy("organisation"),
    "category": lazy("category"),
}


def _part_label(name: str) -> str:
    from homecoming.web.labels import field_label

    return i18n.gettext(_PART_LABELS[name]) if name in _PART_LABELS else field_label(name)


def _hint(item: editing.FormField, *, creating: bool = True) -> str:
    hints = {
        "date": lambda: i18n.gettext("YYYY-MM-DD"),
        "datetime": lambda: i18n.gettext("YYYY-MM-DD HH:MM, in UTC"),
        "geometry": lambda: i18n.gettext("Latitude, longitude in decimal degrees (e.g. "
                                         "49.2001, 37.2803), or a GeoJSON geometry"),
        "range": lambda: i18n.gettext("A number or a range such as 30-45"),
        "lines": lambda: i18n.gettext("One per line"),
        "nested": lambda: i18n.gettext("One per line: %(parts)s") % {
            "parts": _FIELD_PARTS_SEPARATOR.join(_part_label(p) for p in item.parts)},
    }
    if item.is_key:
        if not creating:
            return ""
        return i18n.gettext("Letters, digits and . _ : / - (no spaces); cannot be changed "
                            "later")
    return hints[item.widget]() if item.widget in hints else ""


def _messages(exc: editing.FormErrors) -> dict[str, str]:
    return {name: error_text(exc.codes.get(name, "invalid"), message)
            for name, message in exc.errors.items()}


def _form_page(ctx: Context, kind: str, *, values: Mapping[str, str], key: str | None,
               row_version: int | None, errors: Mapping[str, str] | None = None,
               status: int = 200) -> Response:
    fields = editing.form_fields(kind)
    with ctx.db.session() as session:
        choices = editing.reference_choices(session, kind)
    action = CREATE_PATHS[kind] if key is None else \
        EDIT_PATHS[kind].replace("{key}", quote(key, safe=""))
    title = i18n.gettext(_NEW_TITLES[kind]) if key is None else \
        i18n.gettext(_EDIT_TITLES[kind]) % {"key": key}
    first_error = next((f.name for f in fields if errors and f.name in errors), None)
    return render(ctx, "record_form.html", status=status, kind=kind, key=key, fields=fields,
                  title=title, first_error=first_error,
                  values=values, errors=dict(errors or {}), row_version=row_version,
                  action=action, hints={f.name: _hint(f, creating=key is None) for f in fields},
                  references=choices, form_level=editing.FORM_LEVEL)


async def form_texts(request: Request) -> dict[str, str]:
    """Dependency: the texts of the posted form (files left out)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _with_checkboxes(kind: str, texts: Mapping[str, str]) -> dict[str, str]:
    """A browser leaves an unticked checkbox out of the form: it means "no"."""
    out = dict(texts)
    for item in editing.form_fields(kind):
        if item.widget == "checkbox":
            out.setdefault(item.name, "")
    return out


def _detail_url(kind: str, key: str) -> str:
    return f"/records/{kind}/{quote(key, safe='')}"


def _register(kind: str) -> None:
    spec = editing.FORM_KINDS[kind]
    permission = spec.permission

    @route(router, "GET", CREATE_PATHS[kind], permission, name=f"new-{kind}")
    def new_form(ctx: Context) -> Response:
        prefill = {k: v for k, v in ctx.request.query_params.items()}
        return _form_page(ctx, kind, values=editing.blank_values(kind, prefill), key=None,
                          row_version=None)

    @route(router, "POST", CREATE_PATHS[kind], permission, name=f"create-{kind}")
    def create(ctx: Context, texts: dict[str, str] = Depends(form_texts)) -> Response:
        texts = _with_checkboxes(kind, texts)
        try:
            with ctx.db.session() as session:
                record = editing.create_record(session, kind, texts, actor=ctx.user)
        except editing.FormErrors as exc:
            return _form_page(ctx, kind, values=texts, key=None, row_version=None,
                              errors=_messages(exc), status=422)
        return RedirectResponse(_detail_url(kind, record.key), status_code=303)

    @route(router, "GET", EDIT_PATHS[kind], permission, name=f"edit-{kind}")
    def edit_form(ctx: Context, key: str) -> Response:
        with ctx.db.session() as session:
            values, version = editing.record_for_edit(session, kind, key, actor=ctx.user)
        return _form_page(ctx, kind, values=values, key=key, row_version=version)

    @route(router, "POST", EDIT_PATHS[kind], permission, name=f"update-{kind}")
    def update(ctx: Context, key: str, texts: dict[str, str] = Depends(form_texts)
               ) -> Response:
        texts = _with_checkboxes(kind, texts)
        version = texts.pop("row_version", None)
        try:
            with ctx.db.session() as session:
                editing.update_record(session, kind, key, texts, row_version=version,
                                      actor=ctx.user)
        except editing.FormErrors as exc:
            return _form_page(ctx, kind, values=texts, key=key,
                              row_version=_int(version), errors=_messages(exc), status=422)
        except ConcurrentChangeError:
            return _form_page(ctx, kind, values=texts, key=key, row_version=_int(version),
                              errors={editing.FORM_LEVEL: error_text("conflict", "")},
                              status=409)
        return RedirectResponse(_detail_url(kind, key), status_code=303)

    _ = (new_form, create, edit_form, update)


def _int(text: str | None) -> int | None:
    try:
        return int(str(text))
    except ValueError:
        return None


for _kind in editing.FORM_KINDS:
    _register(_kind)


# --- chain of custody ---------------------------------------------------------------------

_BREAKS: dict[str, Callable[[], str]] = {
    "unreceived": lambda: i18n.gettext("Break: handed on by someone who had not received it "
                                       "(the previous transfer went to someone else)."),
    "gap": lambda: i18n.gettext("Break: a long time with no recorded transfer."),
    "after_end": lambda: i18n.gettext("Break: a transfer after the item was consumed, "
                                      "released or destroyed."),
}


def _now_text() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M")


def _custody_page(ctx: Context, kind: str, key: str, *, values: Mapping[str, str] | None = None,
                  errors: Mapping[str, str] | None = None, status: int = 200) -> Response:
    with ctx.db.session() as session:
        item = editing.custody_item(session, key, actor=ctx.user)
    if item.item_kind != {"samples": "sample", "remains": "remains"}[kind]:
        raise NotFoundError(f"{kind} {key!r} not found")
    breaks = {event_id: [_BREAKS[b["kind"]]() for b in found]
              for event_id, found in item.breaks.items()}
    form = {"from_party": item.last_holder or "", "to_party": "",
            "occurred_at": _now_text(), "reason": "", "location": "", "final": ""}
    form.update(values or {})
    return render(ctx, "custody_timeline.html", status=status, kind=kind, key=key, item=item,
                  breaks=breaks, values=form, errors=dict(errors or {}),
                  action=CUSTODY_PATHS[kind].replace("{key}", quote(key, safe="")),
                  finals=[("consumed", i18n.gettext("consumed in analysis")),
                          ("released", i18n.gettext("released")),
                          ("destroyed", i18n.gettext("destroyed"))],
                  form_level=editing.FORM_LEVEL)


def _register_custody(kind: str) -> None:
    @route(router, "GET", CUSTODY_PATHS[kind], "records.view", name=f"custody-{kind}")
    def custody(ctx: Context, key: str) -> Response:
        return _custody_page(ctx, kind, key)

    @route(router, "POST", CUSTODY_PATHS[kind], "custody.write",
           name=f"custody-transfer-{kind}")
    def transfer(ctx: Context, key: str, texts: dict[str, str] = Depends(form_texts)
                 ) -> Response:
        texts = {k: v for k, v in texts.items() if k in editing.TRANSFER_FIELDS}
        try:
            with ctx.db.session() as session:
                editing.record_transfer(session, key, texts, actor=ctx.user)
        except editing.FormErrors as exc:
            return _custody_page(ctx, kind, key, values=texts, errors=_messages(exc),
                                 status=422)
        except PermissionDenied:
            raise
        except NotFoundError:
            raise
        except HomecomingError as exc:
            return _custody_page(ctx, kind, key, values=texts, status=422,
                                 errors={editing.FORM_LEVEL: str(exc).splitlines()[0]})
        return RedirectResponse(CUSTODY_PATHS[kind].replace("{key}", quote(key, safe=""))
                                + "#timeline", status_code=303)

    _ = (custody, transfer)


for _kind in CUSTODY_PATHS:
    _register_custody(_kind)

