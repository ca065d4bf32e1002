"""Create and edit casework records from forms (issue 12 item 4): the use cases behind the web
application's create/edit pages and custody transfer form.

Every write checks ``<kind>.write`` (:data:`FORM_KINDS`) for the acting person, is validated by
the casework model, runs in the caller's transaction (``with db.session() as session``) and is
audited by the repositories like every other change (the audit hash chain stays valid). An
edit is a compare-and-set on the record's ``row_version``: the form carries the version it
showed (:func:`record_for_edit`), and if the record has moved on since, the edit is refused
with :class:`~homecoming.storage.database.ConcurrentChangeError` and nothing is written.

Form values are plain texts as a browser sends them (see :func:`parse_value` for how a text
becomes a field's value: empty means "not given", one item per line for lists, ``a; b; c``
per line for lists of nested values, ``latitude, longitude`` or GeoJSON for a location,
``min-max`` for a range). Invalid values raise :class:`FormErrors`, whose ``errors`` map each
field name to one line saying what was expected — never the value typed (it may be a name, a
birth date or a genotype).
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from homecoming.casework import (
    CaseworkError,
    Donor,
    Examination,
    Exhumation,
    Geometry,
    Grave,
    HazardArea,
    Incident,
    MissingPerson,
    Range,
    Record,
    Remains,
    Sample,
    Site,
)
from homecoming.casework._base import _check_fields, _expectation
from homecoming.errors import InputError, IntegrityError, NotFoundError
from homecoming.services.accounts import authorize

__all__ = ["FORM_KINDS", "FormKind", "FormField", "FormErrors", "form_fields", "parse_value",
           "form_text", "blank_values", "record_for_edit", "create_record", "update_record",
           "record_transfer", "custody_item", "FORM_LEVEL", "reference_choices",
           "REFERENCE_FIELDS", "TRANSFER_FIELDS", "CustodyItem"]

#: the key of an error that belongs to no single field (a rule between fields)
FORM_LEVEL = "__all__"


@dataclass(frozen=True)
class FormKind:
    """One kind of record with a create/edit form."""

    kind: str              # the URL / list spelling, e.g. "missing-persons"
    model: type[Record]
    repo: str              # attribute of Repositories
    permission: str        # the write permission
    #: reading the form (it shows names) needs this too
    view_permission: str = "records.view"


FORM_KINDS: dict[str, FormKind] = {k.kind: k for k in (
    FormKind("sites", Site, "sites", "sites.write"),
    FormKind("hazard-areas", HazardArea, "hazard_areas", "sites.write"),
    FormKind("graves", Grave, "graves", "graves.write"),
    FormKind("exhumations", Exhumation, "exhumations", "exhumations.write"),
    FormKind("incidents", Incident, "incidents", "incidents.write"),
    FormKind("remains", Remains, "remains", "remains.write"),
    FormKind("examinations", Examination, "examinations", "examinations.write"),
    FormKind("samples", Sample, "samples", "samples.write"),
    FormKind("missing-persons", MissingPerson, "missing_persons", "missing_persons.write",
             "persons.view"),
    FormKind("donors", Donor, "donors", "donors.write", "persons.view"),
)}

#: free-text fields shown as a multi-line box
_TEXTAREAS = frozenset({"notes", "description", "circumstances", "distinguishing_marks",
                        "dental_notes", "clothing", "family_consultation",
                        "marker_inscription"})


class FormErrors(InputError):
    """A form with invalid values: ``errors`` maps field name (or :data:`FORM_LEVEL`) to one
    line saying what was expected; ``codes`` maps it to the kind of problem (``missing``,
    ``invalid``, ``exists``, ``not_found``, ``conflict``, ``transition``)."""

    def __init__(self, errors: Mapping[str, str], codes: Mapping[str, str] | None = None,
                 *, what: str = "record") -> None:
        self.errors = dict(errors)
        self.codes = {name: (codes or {}).get(name, "invalid") for name in self.errors}
        first = next(iter(self.errors))
        super().__init__(f"{what}.{first}: {self.errors[first]}"
                         + (f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1
                            else ""), field=first, expected=self.errors[first])


@dataclass(frozen=True)
class FormField:
    """How one field of a record is entered: ``widget`` is one of text, textarea, date,
    datetime, number, integer, select, checkbox, lines, nested, range, geometry."""

    name: str
    widget: str
    required: bool
    choices: tuple[str, ...] = ()
    #: for ``nested``: the parts of each line, in order
    parts: tuple[str, ...] = ()
    is_key: bool = False
    optional_choice: bool = False


# --- the fields of a form ------------------------------------------------------------------

def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the annotation without ``| None`` and Annotated, whether None is allowed)."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) == 1:
                continue
        return annotation, optional


def _widget(name: str, annotation: Any) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    base, _ = _unwrap(annotation)
    origin = typing.get_origin(base)
    if origin is tuple:
        inner, _ = _unwrap(typing.get_args(base)[0])
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return "nested", (), tuple(inner.model_fields)
        return "lines", (), ()
    if isinstance(base, type):
        if issubclass(base, enum.Enum):
            return "select", tuple(str(m.value) for m in base), ()
        if issubclass(base, bool):
            return "checkbox", (), ()
        if issubclass(base, int):
            return "integer", (), ()
        if issubclass(base, float):
            return "number", (), ()
        if issubclass(base, _dt.datetime):
            return "datetime", (), ()
        if issubclass(base, _dt.date):
            return "date", (), ()
        if issubclass(base, Geometry):
            return "geometry", (), ()
        if issubclass(base, Range):
            return "range", (), ()
    return ("textarea" if name in _TEXTAREAS else "text"), (), ()


def _form_kind(kind: str) -> FormKind:
    try:
        return FORM_KINDS[kind]
    except KeyError:
        raise NotFoundError(f"record kind {kind!r} has no form; expected one of "
                            f"{', '.join(FORM_KINDS)}") from None


def form_fields(kind: str) -> list[FormField]:
    """The fields of ``kind``'s form, in the model's order (the key first)."""
    spec = _form_kind(kind)
    out = []
    for name, info in spec.model.model_fields.items():
        widget, choices, parts = _widget(name, info.annotation)
        _, optional = _unwrap(info.annotation)
        out.append(FormField(name, widget, info.is_required(), choices, parts,
                             is_key=name == spec.model.key_field,
                             optional_choice=widget == "select" and optional))
    return out


# --- text <-> value ------------------------------------------------------------------------

_NUMBER = r"[-+]?\d+(?:[.,]\d+)?"
_LATLON = re.compile(rf"^\s*({_NUMBER})\s*[,;\s]\s*({_NUMBER})\s*$")
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*(?:(?:-|–|—|\.\.)\s*({_NUMBER}))?\s*$")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


class _Unparsable(ValueError):
    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def parse_value(item: FormField, text: Any) -> Any:
    """The value of a field from a form text; ``None`` when the text is empty (the field is
    then not given: its default, or "missing" if it is required). Values that are not text
    (already parsed) are returned as they are."""
    if not isinstance(text, str):
        return text
    if item.widget == "checkbox":
        return text.strip().lower() in ("on", "true", "1", "yes", "так")
    if item.widget in ("lines",):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines
    if item.widget == "nested":
        stripped = text.strip()
        if not stripped:
            return []
        if stripped.startswith("["):
            try:
                return json.loads(stripped)
            except json.JSONDecodeError:
                raise _Unparsable("a JSON list, or one entry per line") from None
        rows = []
        for line in stripped.splitlines():
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split(";")]
            if len(cells) > len(item.parts):
                raise _Unparsable(f"at most {len(item.parts)} parts per line separated by ';' "
                                  f"({'; '.join(item.parts)})")
            rows.append({part: cell for part, cell in zip(item.parts, cells, strict=False)
                         if cell != ""})
        return rows
    text = text.strip()
    if text == "":
        return None
    if item.widget == "number":
        return text.replace(",", ".")
    if item.widget == "datetime":
        return re.sub(r"^(\d{4}-\d{2}-\d{2})\s+", r"\1T", text)
    if item.widget == "geometry":
        if text.startswith("{"):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                raise _Unparsable("latitude, longitude (e.g. 49.2001, 37.2803) or a GeoJSON "
                                  "geometry") from None
        match = _LATLON.match(text)
        if not match:
            raise _Unparsable("latitude, longitude in decimal degrees (e.g. 49.2001, "
                              "37.2803) or a GeoJSON geometry")
        lat, lon = _number(match.group(1)), _number(match.group(2))
        return {"type": "Point", "coordinates": [lon, lat]}
    if item.widget == "range":
        match = _RANGE.match(text)
        if not match:
            raise _Unparsable("a number or a range such as 30-45")
        low = _number(match.group(1))
        high = _number(match.group(2)) if match.group(2) else low
        return {"minimum": low, "maximum": high}
    return text


def form_text(item: FormField, value: Any) -> str:
    """The text a form shows for a stored value (the inverse of :func:`parse_value`)."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if item.widget == "checkbox":
        return "on" if value else ""
    if item.widget == "lines":
        return "\n".join(str(v) for v in value)
    if item.widget == "nested":
        lines = []
        for entry in value:
            data = entry.model_dump(mode="json") if isinstance(entry, BaseModel) else entry
            cells = ["" if data.get(p) is None else str(data.get(p)).lower()
                     if isinstance(data.get(p), bool) else str(data.get(p))
                     for p in item.parts]
            while cells and cells[-1] == "":
                cells.pop()
            lines.append("; ".join(cells))
        return "\n".join(lines)
    if item.widget == "geometry":
        geometry = value if isinstance(value, Geometry) else Geometry.model_validate(value)
        if geometry.type == "Point":
            lon, lat = geometry.coordinates[:2]
            return f"{lat}, {lon}"
        return json.dumps(geometry.to_geojson())
    if item.widget == "range":
        low, high = (value.minimum, value.maximum) if isinstance(value, Range) else \
            (value["minimum"], value["maximum"])
        show = [f"{x:g}" for x in (low, high)]
        return show[0] if low == high else f"{show[0]}-{show[1]}"
    if item.widget == "datetime":
        moment = value if isinstance(value, _dt.datetime) else \
            _dt.datetime.fromisoformat(str(value))
        return moment.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def blank_values(kind: str, prefill: Mapping[str, str] | None = None) -> dict[str, str]:
    """The texts of an empty form of ``kind``: each field's default, then ``prefill`` (e.g.
    the grave a new remains belongs to) for the fields that exist."""
    spec = _form_kind(kind)
    out: dict[str, str] = {}
    for item in form_fields(kind):
        info = spec.model.model_fields[item.name]
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        out[item.name] = form_text(item, default) if default not in ((), "") else ""
    for name, text in (prefill or {}).items():
        if name in out and isinstance(text, str):
            out[name] = text[:200]
    return out


# --- validation with an error per field ----------------------------------------------------

def _field_of(model: type[Record], message: str) -> str:
    """The first field of ``model`` named in a rule's message (else the form)."""
    found = [(message.find(name), name) for name in model.model_fields
             if re.search(rf"\b{re.escape(name)}\b", message)]
    return min(found)[1] if found else FORM_LEVEL


def _top(model: type[Record], dotted: str | None) -> str:
    if not dotted:
        return FORM_LEVEL
    parts = dotted.split(".")
    if parts[0] == model.__name__:
        parts = parts[1:]
    return parts[0] if parts and parts[0] in model.model_fields else FORM_LEVEL


def _where(loc: tuple[Any, ...]) -> str:
    """`` (line N, part)`` for a problem inside a list field (lines count from 1)."""
    if not loc:
        return ""
    line = f"line {int(loc[0]) + 1}" if isinstance(loc[0], int) else str(loc[0])
    part = ".".join(str(p) for p in loc[1:])
    return f" ({line}, {part})" if part else f" ({line})"


_ADAPTERS: dict[tuple[type[BaseModel], str], TypeAdapter[Any]] = {}


def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator of one field of ``model`` (its type and constraints)."""
    key = (model, name)
    if key not in _ADAPTERS:
        info = model.model_fields[name]
        annotation: Any = info.annotation
        if info.metadata:
            annotation = typing.Annotated[(annotation, *info.metadata)]
        _ADAPTERS[key] = TypeAdapter(annotation)
    return _ADAPTERS[key]


def _validate(model: type[Record], values: Mapping[str, Any],
              errors: dict[str, str], codes: dict[str, str]) -> Record | None:
    """The record, or None with ``errors`` filled: every field's first problem (each field on
    its own), then — when every field is valid — the rules between fields."""
    for name, info in model.model_fields.items():
        if name in errors:
            continue
        if name not in values:
            if info.is_required():
                errors[name] = "a value (the field is required)"
                codes[name] = "missing"
            continue
        try:
            _check_fields(model, {name: values[name]})
            _adapter(model, name).validate_python(values[name])
        except CaseworkError as exc:
            errors[name] = exc.expected or "a valid value"
        except ValidationError as exc:
            err = exc.errors()[0]
            inner = (err.get("ctx") or {}).get("error")
            expected = inner.expected if isinstance(inner, CaseworkError) and inner.expected \
                else _expectation(err)
            loc = tuple(err.get("loc", ()))
            if isinstance(inner, CaseworkError) and inner.field and "." in inner.field:
                loc = (*loc, inner.field.split(".", 1)[1])  # the part of a nested value
            errors[name] = expected + _where(loc)
        except ValueError as exc:  # a validator of a nested value
            errors[name] = str(exc).removeprefix("expected ")
    if errors:
        return None
    try:
        return model.model_validate(dict(values))
    except CaseworkError as exc:
        name = _top(model, exc.field)
        if name == FORM_LEVEL:
            name = _field_of(model, exc.expected or str(exc))
        errors[name] = exc.expected or str(exc).split(": ", 1)[-1]
        codes[name] = "transition" if type(exc).__name__ == "StatusTransitionError" \
            else "invalid"
        return None


def _values(kind: str, texts: Mapping[str, Any], *, key: str | None,
            errors: dict[str, str]) -> dict[str, Any]:
    """Form texts -> model input (unknown names ignored; empty texts left out or cleared)."""
    spec = _form_kind(kind)
    out: dict[str, Any] = {}
    for item in form_fields(kind):
        if item.is_key and key is not None:
            out[item.name] = key
            continue
        if item.name not in texts:  # not given: the default (new) or unchanged (edit)
            continue
        try:
            value = parse_value(item, texts.get(item.name, ""))
        except _Unparsable as exc:
            errors[item.name] = exc.expected
            continue
        if value is None:
            info = spec.model.model_fields[item.name]
            _, optional = _unwrap(info.annotation)
            if optional:
                out[item.name] = None
            elif not info.is_required():
                out[item.name] = info.get_default(call_default_factory=True)
            continue
        out[item.name] = value
    return out


def _write_error(spec: FormKind, exc: InputError) -> FormErrors:
    name = _top(spec.model, exc.field)
    if name == FORM_LEVEL and exc.field is None:
        return FormErrors({FORM_LEVEL: str(exc).splitlines()[0]}, what=spec.model.__name__)
    code = "transition" if type(exc).__name__ == "StatusTransitionError" else \
        "exists" if "already exists" in str(exc) else \
        "not_found" if "does not exist" in str(exc) else "invalid"
    message = str(exc).splitlines()[0]
    message = message.split(": ", 1)[1] if ": " in message else message
    if spec.model.__name__ in ("MissingPerson", "Donor") and exc.expected:
        message = f"expected {exc.expected}"  # never echo a personal value
    return FormErrors({name: message}, {name: code}, what=spec.model.__name__)


#: fields naming another record -> (its table name, its key column)
REFERENCE_FIELDS: dict[str, tuple[str, str]] = {
    "site_id": ("sites", "id"), "grave_id": ("graves", "id"),
    "remains_code": ("remains", "code"), "donor_id": ("donors", "id"),
    "missing_person_id": ("missing_persons", "id"), "incident_id": ("incidents", "id"),
}


def reference_choices(session: Any, kind: str, *, limit: int = 300) -> dict[str, list[str]]:
    """For the fields of ``kind``'s form that name another record: the stored keys to offer
    (sorted), when there are at most ``limit`` of them (else none: the field is typed)."""
    from sqlalchemy import select

    from homecoming.storage import tables

    out: dict[str, list[str]] = {}
    for item in form_fields(kind):
        if item.name not in REFERENCE_FIELDS:
            continue
        table_name, column = REFERENCE_FIELDS[item.name]
        table = tables.metadata.tables[table_name]
        keys = list(session.execute(select(table.c[column]).order_by(table.c[column])
                                    .limit(limit + 1)).scalars())
        if len(keys) <= limit:
            out[item.name] = [str(k) for k in keys]
    return out


# --- the use cases -------------------------------------------------------------------------

def _row_version(session: Any, repo: Any, key: str) -> int | None:
    from sqlalchemy import select

    if "row_version" not in repo.table.c:
        return None
    version = session.execute(select(repo.table.c.row_version)
                              .where(repo.key_column == key)).scalar()
    return None if version is None else int(version)


_EDIT_PURPOSE = "edit form opened (web)"


def record_for_edit(session: Any, kind: str, key: str, *,
                    actor: str | None = None) -> tuple[dict[str, str], int | None]:
    """The form texts of a stored record and its row version (to send back with the edit).
    Needs ``<kind>.write`` (and the permission to see the record)."""
    from homecoming.storage.repositories import Repositories

    spec = _form_kind(kind)
    who = authorize(session, spec.permission, actor=actor)
    authorize(session, spec.view_permission, actor=who)
    repo = getattr(Repositories(session), spec.repo)
    record = repo.get(key)
    if spec.view_permission == "persons.view":  # the form shows a person's data: audited
        from homecoming.services.audit import record_read

        record_read(session, repo.table.name, [key], purpose=_EDIT_PURPOSE, actor=who)
    texts = {item.name: form_text(item, getattr(record, item.name))
             for item in form_fields(kind)}
    return texts, _row_version(session, repo, key)


def create_record(session: Any, kind: str, values: Mapping[str, Any], *,
                  actor: str | None = None) -> Record:
    """Validate ``values`` (form texts or plain values) as a new record of ``kind`` and store
    it (audited). Raises :class:`FormErrors` naming every invalid field, a taken key or a
    reference to a record that does not exist."""
    from homecoming.storage.repositories import Repositories

    spec = _form_kind(kind)
    who = authorize(session, spec.permission, actor=actor)
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}
    data = _values(kind, values, key=None, errors=errors)
    record = _validate(spec.model, data, errors, codes)
    repo = getattr(Repositories(session, user=who), spec.repo)
    key_field = spec.model.key_field
    key = data.get(key_field)
    if isinstance(key, str) and key_field not in errors and repo.exists(key):
        errors[key_field] = f"{key!r} already exists; expected a new {key_field}"
        codes[key_field] = "exists"
    if errors or record is None:
        raise FormErrors(errors, codes, what=spec.model.__name__)
    try:
        repo.add(record)
    except IntegrityError as exc:
        raise _write_error(spec, exc) from None
    return record


def update_record(session: Any, kind: str, key: str, values: Mapping[str, Any], *,
                  row_version: int | str | None, actor: str | None = None) -> Record:
    """Change the stored record ``key`` of ``kind`` to ``values`` (the fields given; the key
    cannot change), validated and audited, only if it is still at ``row_version`` (what the
    form showed): otherwise :class:`ConcurrentChangeError` and nothing is written."""
    from homecoming.storage.database import ConcurrentChangeError
    from homecoming.storage.repositories import Repositories

    spec = _form_kind(kind)
    who = authorize(session, spec.permission, actor=actor)
    authorize(session, spec.view_permission, actor=who)
    repo = getattr(Repositories(session, user=who), spec.repo)
    current = repo.get(key)
    stored = _row_version(session, repo, key)
    if stored is not None:
        try:
            expected = int(str(row_version))
        except ValueError:
            raise InputError(f"{spec.model.__name__} {key!r}: row_version {row_version!r} is "
                             "not valid; expected the version the form showed (a whole "
                             "number)", field="row_version", value=row_version) from None
        if expected != stored:
            raise ConcurrentChangeError(
                f"{spec.model.__name__} {key!r} was changed by someone else after this form "
                f"was opened (version {expected}, now {stored}); nothing was written: open "
                "the form again to see the new values")
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}
    data = current.model_dump(mode="python")
    data.update(_values(kind, values, key=key, errors=errors))
    record = _validate(spec.model, data, errors, codes)
    if errors or record is None:
        raise FormErrors(errors, codes, what=spec.model.__name__)
    changes = {name: value for name, value in record.model_dump(mode="python").items()
               if name != spec.model.key_field}
    try:
        return typing.cast(Record, repo.update(key, **changes))
    except (IntegrityError, CaseworkError) as exc:
        raise _write_error(spec, exc) from None


# --- custody -------------------------------------------------------------------------------

#: the fields of the transfer form (CustodyEvent's, less the item and its id)
TRANSFER_FIELDS = ("from_party", "to_party", "occurred_at", "reason", "location", "sha256",
                   "final")


@dataclass
class CustodyItem:
    """A sample or remains and its chain of custody (the timeline, with breaks)."""

    item_id: str
    item_kind: str                    # "sample" | "remains"
    events: list[dict[str, Any]] = field(default_factory=list)
    breaks: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # event id -> breaks
    last_holder: str | None = None


def custody_item(session: Any, item_id: str, *, actor: str | None = None) -> CustodyItem:
    """The chain of custody of a stored sample or remains, oldest first, each transfer with
    the breaks found at it (:func:`homecoming.services.custody.timeline`)."""
    from homecoming.services.custody import timeline
    from homecoming.storage.repositories import Repositories

    who = authorize(session, "records.view", actor=actor)
    repos = Repositories(session)
    from homecoming.services.consent import viewer_withheld

    if item_id in viewer_withheld(session, who)[1]:  # a donor's sample kept from this viewer
        raise NotFoundError(f"custody: {item_id!r} is neither a stored sample nor stored "
                            "remains")
    if repos.samples.exists(item_id):
        kind = "sample"
    elif repos.remains.exists(item_id):
        kind = "remains"
    else:
        raise NotFoundError(f"custody: {item_id!r} is neither a stored sample nor stored "
                            "remains")
    out = CustodyItem(item_id, kind)
    try:
        line = timeline(session, item_id, actor=actor)
    except NotFoundError:  # no transfer recorded yet
        return out
    out.events = line.events
    for br in line.breaks:
        out.breaks.setdefault(br.event_id, []).append({"kind": br.kind,
                                                       "message": br.message})
    out.last_holder = line.events[-1]["to_party"] if line.events else None
    return out


def record_transfer(session: Any, item_id: str, values: Mapping[str, Any], *,
                    actor: str | None = None) -> Any:
    """Record one custody transfer of the sample or remains ``item_id`` from form values
    (:data:`TRANSFER_FIELDS`; ``final``: consumed / released / destroyed, or empty); needs
    ``custody.write``. Returns the stored CustodyEvent; :class:`FormErrors` per field."""
    from homecoming.casework import CustodyEvent
    from homecoming.services.custody import FINAL_REASONS, add_transfer

    who = authorize(session, "custody.write", actor=actor)
    kind = custody_item(session, item_id, actor=who).item_kind
    texts = {name: (str(values.get(name) or "").strip()) for name in TRANSFER_FIELDS}
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}
    texts["occurred_at"] = re.sub(r"^(\d{4}-\d{2}-\d{2})\s+", r"\1T", texts["occurred_at"])
    final = texts.pop("final") or None
    if final is not None and final not in FINAL_REASONS:
        errors["final"] = f"one of {', '.join(FINAL_REASONS)}, or nothing"
    data: dict[str, Any] = {k: v for k, v in texts.items() if v}
    data.update(id="CE-CHECK", item_kind=kind, item_id=item_id)
    data.setdefault("location", None)
    _validate(CustodyEvent, data, errors, codes)
    if errors:
        raise FormErrors(errors, codes, what="CustodyEvent")
    try:
        return add_transfer(session, item_id, from_party=data["from_party"],
                            to_party=data["to_party"], occurred_at=data["occurred_at"],
                            reason=data["reason"], item_kind=kind,
                            location=data.get("location"), sha256=data.get("sha256"),
                            final=final, actor=who)
    except CaseworkError as exc:
        name = _top(CustodyEvent, exc.field)
        raise FormErrors({name: exc.expected or str(exc)}, what="CustodyEvent") from None
