"""CSV export of casework records, and updating stored records from a CSV keyed by id.

Record types: ``missing_persons`` (:class:`~homecoming.casework.MissingPerson`, key ``id``),
``donors`` (``id``), ``remains`` (``code``), ``samples`` (``barcode``), ``examinations``
(post-mortem examinations, ``id``) and ``incidents`` (``id``).

**Export** writes one row per record; the columns are the record's field names in model
order. Dates are ISO, enums their values, and nested values (a location, personal effects,
a list of names) compact JSON in one cell. UTF-8, comma-separated, a header row. A file
written by :func:`~homecoming.services.format_store.export_csv` is also a valid update file.

**Update by id** (Uwazi's users' most-asked feature, issue #5157): a CSV whose first row names
the key column and any of the record's fields; each row changes the record with that key.

* an empty cell (or a column left out) leaves the field **unchanged**;
* the cell ``NULL`` clears an optional field;
* nested fields take JSON, as exported.

:func:`plan_changes` (with the stored records looked up by
:func:`homecoming.services.format_store.plan_update`) validates the whole file first — unknown
column, key not stored, key twice, a value the record does not accept (each named by line and
column) stop it — and returns an :class:`UpdatePlan` with the per-field diff. A dry run prints
the diff and writes nothing; :func:`~homecoming.services.format_store.apply_update` writes
every change in the caller's transaction (each update is audited by the repository), so a
failure writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homecoming.errors import FormatError, InputError
from homecoming.formats.checks import check_text, show
from homecoming.formats.report import ImportReport

#: CSV clear marker: this cell value sets an optional field to empty (None).
CLEAR = "NULL"

#: record type -> (casework class name, repository class name)
RECORD_KINDS: dict[str, tuple[str, str]] = {
    "missing_persons": ("MissingPerson", "MissingPersonRepository"),
    "donors": ("Donor", "DonorRepository"),
    "remains": ("Remains", "RemainsRepository"),
    "samples": ("Sample", "SampleRepository"),
    "examinations": ("Examination", "ExaminationRepository"),
    "incidents": ("Incident", "IncidentRepository"),
}

#: fields whose values never leave through CSV (genetic data is not in these records anyway)
_SKIP: set[str] = set()

#: record type -> column -> (repository class name, what it is called): a non-empty value must
#: be the key of a stored record (checked by :func:`plan_changes`, named by line and column;
#: :mod:`homecoming.services.format_store` resolves the repository names)
REFERENCES: dict[str, dict[str, tuple[str, str]]] = {
    "missing_persons": {"incident_id": ("IncidentRepository", "incident")},
    "donors": {"missing_person_id": ("MissingPersonRepository", "missing person")},
    "remains": {"grave_id": ("GraveRepository", "grave"),
                "incident_id": ("IncidentRepository", "incident")},
    "samples": {"remains_code": ("RemainsRepository", "remains code"),
                "donor_id": ("DonorRepository", "donor")},
    "examinations": {"remains_code": ("RemainsRepository", "remains code")},
    "incidents": {},
}

# --- spreadsheet formulas ------------------------------------------------------------------
#: a cell starting with one of these is run as a formula by spreadsheet programs (OWASP CSV
#: injection): = + - @, and tab / carriage return
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
#: what an export says about neutralised cells (for the command's output)
FORMULA_NOTE = ("cells that a spreadsheet would run as a formula (starting with = + - @) are "
                "written with a leading ' ; homecoming import and csv-update remove it again")


def neutralise_cell(text: str) -> str:
    """``text`` made safe for a spreadsheet: a cell a spreadsheet would run as a formula
    (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``, ``-...``; not a plain negative number)
    gets a leading ``'``, as does a cell that already looks neutralised (``'=...``), so that
    :func:`restore_cell` gives back exactly ``text``."""
    if not text:
        return text
    if (text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(text)) \
            or _NEUTRALISED.match(text):
        return "'" + text
    return text


def restore_cell(text: str) -> str:
    """The inverse of :func:`neutralise_cell` (used by every CSV reader of ours)."""
    return text[1:] if _NEUTRALISED.match(text) else text


def columns(kind: str) -> list[str]:
    """The CSV columns of a record type (its field names, key first)."""
    model = _model(kind)
    names = [n for n in model.model_fields if n not in _SKIP]
    names.remove(model.key_field)
    return [model.key_field] + names


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return str(value)


def _writer(out: io.StringIO, neutralise: bool, stats: dict[str, int] | None) -> Any:
    w = csv.writer(out, lineterminator="\n")
    if not neutralise:
        return w

    class _Safe:
        def writerow(self, row: Sequence[str]) -> None:
            safe = [neutralise_cell(c) for c in row]
            if stats is not None:
                stats["neutralised"] = stats.get("neutralised", 0) + sum(
                    1 for a, b in zip(row, safe) if a != b)
            w.writerow(safe)
    return _Safe()


def format_csv(kind: str, records: Iterable[Any], *, neutralise: bool = True,
               stats: dict[str, int] | None = None) -> str:
    """CSV of ``records`` (see the module doc).

    :param neutralise: write cells a spreadsheet would run as formulas with a leading ``'``
        (:func:`neutralise_cell`; the default; our importers undo it, so the file still
        round-trips exactly); ``False`` writes every value verbatim (not for spreadsheets).
    :param stats: if given, ``stats["neutralised"]`` counts the cells changed.
    """
    cols = columns(kind)
    out = io.StringIO()
    w = _writer(out, neutralise, stats)
    w.writerow(cols)
    for r in records:
        d = r.to_dict()
        w.writerow([_cell(d.get(c)) for c in cols])
    return out.getvalue()


def write_csv(kind: str, records: Iterable[Any], path: str | os.PathLike[str], *,
              neutralise: bool = True, stats: dict[str, int] | None = None) -> Path:
    from homecoming.formats.registry import atomic_write_text

    return atomic_write_text(path, format_csv(kind, records, neutralise=neutralise,
                                              stats=stats))


def format_profiles_csv(profiles: Iterable[Any], *, neutralise: bool = True,
                        stats: dict[str, int] | None = None) -> str:
    """DNA profiles (:class:`~homecoming.casework.DnaProfile`) in the long CSV layout that
    ``homecoming import profiles`` reads: ``barcode,locus,allele1,allele2,kit,laboratory,
    quality,typed_on`` (metadata on the first row of each bar-code; an unknown allele empty)."""
    out = io.StringIO()
    w = _writer(out, neutralise, stats)
    w.writerow(["barcode", "locus", "allele1", "allele2", "kit", "laboratory", "quality",
                "typed_on"])
    for p in profiles:
        d = p.to_dict()
        first = True
        for locus, alleles in p.genotypes.items():
            a = list(alleles) + [None] * (2 - len(alleles))
            meta = ([d.get("kit"), d.get("laboratory"), d.get("quality"), d.get("typed_on")]
                    if first else [None] * 4)
            w.writerow([p.sample_barcode, locus] + [_cell(x) for x in a[:2]]
                       + [_cell(x) for x in meta])
            first = False
    return out.getvalue()


# --- update by id -------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldChange:
    key: str
    field: str
    old: Any
    new: Any
    line: int

    def to_dict(self) -> dict:
        return {"key": self.key, "field": self.field, "old": self.old, "new": self.new,
                "line": self.line}


@dataclass
class UpdatePlan:
    """What an update file would change: per-field differences, validated."""

    kind: str
    changes: list[FieldChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    report: ImportReport = field(default_factory=ImportReport)
    #: key -> {field: new python value} for the repository
    _updates: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def keys(self) -> list[str]:
        return list(self._updates)

    def diff_lines(self) -> list[str]:
        """``key: field: old -> new`` lines, in file order."""
        return [f"{c.key}: {c.field}: {_show(c.old)} -> {_show(c.new)}" for c in self.changes]

    def to_dict(self) -> dict:
        return {"record_type": self.kind, "changes": [c.to_dict() for c in self.changes],
                "records_changed": len(self._updates), "records_unchanged": len(self.unchanged)}


def _show(value: Any) -> str:
    if value is None:
        return "(empty)"
    text = _cell(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text (byte {exc.start}); expected a UTF-8 CSV file") \
            from None


def _model(kind: str) -> Any:
    if kind not in RECORD_KINDS:
        raise InputError(f"record type {kind!r}; expected one of {sorted(RECORD_KINDS)}",
                         field="kind", value=kind)
    from homecoming import casework

    return getattr(casework, RECORD_KINDS[kind][0])



#: what a record id looks like; anything else in an id column (a name that slid over from the
#: next cell after a stray quote, free text) is not echoed in an error: it may be personal
_ID_LIKE = re.compile(r"[\w.:/-]{1,64}")


def _show_id(value: str) -> str:
    """An id for an error message, or only its length when it does not look like an id."""
    return show(value) if _ID_LIKE.fullmatch(value) else f"the value ({len(value)} characters)"

def plan_changes(kind: str, source: str | os.PathLike[str] | io.StringIO, *,
                 find: Callable[[str], Any],
                 references: Mapping[str, Callable[[str], bool]] | None = None,
                 path: str | None = None) -> UpdatePlan:
    """Validate an update CSV and return the diff (see module doc), with the look-ups given:

    :param find: key -> the stored record, or ``None`` (a key not stored is refused with its
        line and column).
    :param references: column -> "is this id stored?" for the columns of
        :data:`REFERENCES` (a value not stored is refused with its line and column).
    """
    model = _model(kind)
    if isinstance(source, io.StringIO):
        text, where = source.getvalue(), path or "<csv>"
    else:
        where = path or str(source)
        try:
            text = _decode(Path(source).read_bytes())
        except FormatError as exc:
            raise FormatError(exc.reason, path=where) from None
        except OSError as exc:
            raise FormatError(f"cannot read the file ({exc.strerror or exc}); expected a CSV "
                              "file", path=where) from None
    check_text(text, path=where, expected="CSV text")
    plan = UpdatePlan(kind, report=ImportReport(source=where, format="csv-update"))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FormatError(f"not valid CSV ({exc}); expected comma-separated values",
                          path=where) from None
    if not rows or not any(c.strip() for c in rows[0]):
        raise FormatError(f"no header row; expected the key column {model.key_field!r} and "
                          "field names", path=where, line=1)
    header = [c.strip() for c in rows[0]]
    allowed = set(columns(kind))
    key_field = model.key_field
    if key_field not in header:
        raise FormatError(f"no {key_field!r} column; expected the key column of "
                          f"{kind} (and the fields to change)", path=where, line=1,
                          column=key_field)
    for c in header:
        if c not in allowed:
            name = _show_id(c)
            raise FormatError(f"unknown column {name}; expected field names of {kind}: "
                              f"{', '.join(sorted(allowed))}", path=where, line=1,
                              column=c if _ID_LIKE.fullmatch(c) else f"{header.index(c) + 1}",
                              value=c)
    if len(set(header)) != len(header):
        dup = sorted({c for c in header if header.count(c) > 1})
        raise FormatError(f"columns {dup} appear twice; expected each once", path=where, line=1,
                          value=dup)
    nested = {n for n in header if _is_nested(model, n)}
    references = {c: f for c, f in (references or {}).items() if c in header}
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            raise FormatError(f"{len(row)} cells; expected {len(header)}", path=where, line=n,
                              value=len(row))
        cells = dict(zip(header, [restore_cell(c.strip()) for c in row]
                         + [""] * (len(header) - len(row))))
        key = cells[key_field]
        if not key:
            raise FormatError(f"empty {key_field!r}; expected the key of a stored record",
                              path=where, line=n, column=key_field)
        if key in seen:
            raise FormatError(f"{_show_id(key)} appears twice (first on line {seen[key]}); "
                              "expected one row per record", path=where, line=n,
                              column=key_field, value=key)
        seen[key] = n
        current = find(key)
        if current is None:
            raise FormatError(f"{_show_id(key)} is not a stored "
                              f"{kind[:-1] if kind.endswith('s') else kind}; expected the "
                              f"{key_field} of a stored record", path=where, line=n,
                              column=key_field, value=key)
        changes: dict[str, Any] = {}
        for column, value in cells.items():
            if column == key_field or value == "":
                continue
            if column in references and value != CLEAR and not references[column](value):
                noun = REFERENCES[kind][column][1]
                raise FormatError(f"{_show_id(value)} is not a stored {noun}; expected the id "
                                  f"of an existing {noun}", path=where, line=n, column=column,
                                  value=value)
            if value == CLEAR:
                changes[column] = None
            elif column in nested:
                try:
                    changes[column] = json.loads(value)
                except json.JSONDecodeError as exc:
                    raise FormatError(f"not valid JSON ({exc.msg}); expected a JSON value as "
                                      "exported", path=where, line=n, column=column) from None
            else:
                changes[column] = value
        if not changes:
            plan.unchanged.append(key)
            continue
        try:
            new = current.evolve(**changes)
        except (InputError, ValueError, TypeError) as exc:
            msg = str(exc).splitlines()[0]
            col = getattr(exc, "field", None)
            col = str(col).split(".", 1)[1].split(".")[0] if col and "." in str(col) else None
            raise FormatError(f"{key!r}: {msg}", path=where, line=n, column=col) from None
        before, after = current.to_dict(), new.to_dict()
        changed = [c for c in header if c != key_field and before.get(c) != after.get(c)]
        if not changed:
            plan.unchanged.append(key)
            continue
        py = new.model_dump(mode="python")
        plan._updates[key] = {c: py[c] for c in changed}
        for c in changed:
            plan.changes.append(FieldChange(key, c, before.get(c), after.get(c), n))
    if not seen:
        raise FormatError("no data rows after the header; expected one row per record to "
                          "change", path=where, line=2)
    plan.report.counts.update({"rows": len(seen), "records_changed": len(plan._updates),
                               "fields_changed": len(plan.changes)})
    return plan


def _is_nested(model: Any, name: str) -> bool:
    import typing

    ann = model.model_fields[name].annotation
    args = [a for a in typing.get_args(ann) if a is not type(None)] or [ann]
    base = typing.get_origin(args[0]) or args[0]
    if base in (list, tuple, dict, set, frozenset):
        return True
    return isinstance(base, type) and hasattr(base, "model_fields")


# --- importers: exhumations, custody transfers, hazard-area clearance ---------------------

#: required and optional columns of a hazard-area clearance CSV (``homecoming import
#: hazard-clearance``): each row marks a stored hazard area cleared
CLEARANCE_COLUMNS: tuple[str, ...] = ("id", "cleared_on", "cleared_by")
CLEARANCE_OPTIONAL_COLUMNS: tuple[str, ...] = ("notes",)


def read_exhumations_csv(path: str | os.PathLike[str], *,
                         existing_ids: Container[str] = frozenset(),
                         grave_ids: Container[str] = frozenset()) -> list[Any]:
    """Exhumations, one per row, in the layout of the record's fields
    (:class:`~homecoming.casework.Exhumation`): ``id,grave_id,started_on`` required, and
    ``ended_on``, ``method`` (manual / mechanical / mixed), ``family_consultation``,
    ``notes``, ``team`` and ``supervising_authorities`` (JSON lists of
    ``{"name", "role", "organisation"}``). ``grave_id`` must name a stored grave; a stored or
    repeated ``id`` is refused (file, line, column)."""
    from homecoming.casework import Exhumation
    from homecoming.formats.csv_import import read_records_csv

    return read_records_csv(path, Exhumation, existing_keys=existing_ids,
                            references={"grave_id": (grave_ids, "grave")})


def read_custody_csv(path: str | os.PathLike[str], *,
                     existing_ids: Container[str] = frozenset(),
                     sample_barcodes: Container[str] = frozenset(),
                     remains_codes: Container[str] = frozenset()) -> list[Any]:
    """Chain-of-custody transfers, one per row (:class:`~homecoming.casework.CustodyEvent`):
    ``id,item_kind,item_id,from_party,to_party,occurred_at,reason`` required (``occurred_at``
    an ISO date-time, not in the future), ``location`` and ``sha256`` (required for a
    ``digital`` item) optional. The ``item_id`` of a ``sample`` must be a stored sample's
    bar-code, of ``remains`` a stored remains code (``effect`` and ``digital`` items are not
    stored records); a stored or repeated ``id`` is refused (file, line, column)."""
    from homecoming.casework import CustodyEvent
    from homecoming.formats.csv_import import _rows, nested_fields, read_records_csv
    from homecoming.formats.csv_import import record_columns as _record_columns

    events = read_records_csv(path, CustodyEvent, existing_keys=existing_ids)
    required, optional = _record_columns(CustodyEvent)
    _, rows = _rows(path, required=required,
                    allowed=required + optional + nested_fields(CustodyEvent))
    stored = {"sample": (sample_barcodes, "sample bar-code"),
              "remains": (remains_codes, "remains code")}
    for row, event in zip(rows, events, strict=True):
        ids, noun = stored.get(event.item_kind.value, (None, ""))
        if ids is not None and event.item_id not in ids:
            raise FormatError(f"{_show_id(event.item_id)} is not a stored {noun}; expected "
                              f"the {noun} of a stored {event.item_kind.value}",
                              path=str(path), line=row.line, column="item_id",
                              value=event.item_id)
    return events


def read_hazard_clearance_csv(path: str | os.PathLike[str], *,
                              areas: Mapping[str, Any]) -> list[Any]:
    """Clearance of stored hazard areas, one per row: ``id,cleared_on,cleared_by`` (and
    ``notes``, appended to the area's notes). ``areas`` maps the stored hazard-area ids to
    their records; returns the records as they become (``cleared`` true). Refused with file,
    line and column: an id not stored or given twice, an area already cleared, a date that
    is not ISO, lies in the future or before the area was surveyed, an empty ``cleared_by``.
    """
    import datetime as _dt

    from homecoming.casework._base import NAME_LENGTH
    from homecoming.formats.csv_import import _rows

    where = str(path)
    _, rows = _rows(path, required=CLEARANCE_COLUMNS,
                    allowed=CLEARANCE_COLUMNS + CLEARANCE_OPTIONAL_COLUMNS)
    seen: dict[str, int] = {}
    out: list[Any] = []
    today = _dt.datetime.now(_dt.UTC).date()
    for row in rows:
        cells = row.cells
        key = cells["id"]
        if not key:
            raise FormatError("empty 'id'; expected the id of a stored hazard area",
                              path=where, line=row.line, column="id")
        if key in seen:
            raise FormatError(f"{_show_id(key)} appears twice (first on line {seen[key]}); "
                              "expected one row per hazard area", path=where, line=row.line,
                              column="id", value=key)
        seen[key] = row.line
        area = areas.get(key)
        if area is None:
            raise FormatError(f"{_show_id(key)} is not a stored hazard area; expected the id "
                              "of a stored hazard area", path=where, line=row.line,
                              column="id", value=key)
        if area.cleared:
            raise FormatError(f"hazard area {_show_id(key)} is already recorded as cleared"
                              f"{' on ' + area.cleared_on.isoformat() if area.cleared_on else ''}"
                              "; expected an area not yet cleared", path=where, line=row.line,
                              column="id", value=key)
        try:
            day = _dt.date.fromisoformat(cells["cleared_on"])
        except ValueError:
            raise FormatError(f"{show(cells['cleared_on'], 30)} is not a date; expected "
                              "YYYY-MM-DD", path=where, line=row.line, column="cleared_on",
                              value=cells["cleared_on"]) from None
        if day > today:
            raise FormatError(f"{day.isoformat()} is in the future; expected a date on or "
                              "before today", path=where, line=row.line, column="cleared_on",
                              value=day.isoformat())
        if area.surveyed_on is not None and day < area.surveyed_on:
            raise FormatError(f"{day.isoformat()} is before the area was surveyed "
                              f"({area.surveyed_on.isoformat()}); expected a later date",
                              path=where, line=row.line, column="cleared_on",
                              value=day.isoformat())
        by = cells["cleared_by"]
        if not by or len(by) > NAME_LENGTH:
            raise FormatError(f"cleared_by has {len(by)} characters; expected who cleared the "
                              f"area (1 to {NAME_LENGTH} characters)", path=where,
                              line=row.line, column="cleared_by")
        notes = cells.get("notes", "")
        changes: dict[str, Any] = {"cleared": True, "cleared_on": day, "cleared_by": by}
        if notes:
            changes["notes"] = f"{area.notes}\n{notes}" if area.notes else notes
        try:
            out.append(area.evolve(**changes))
        except (InputError, ValueError, TypeError) as exc:
            raise FormatError(f"{str(exc).splitlines()[0]}", path=where, line=row.line) \
                from None
    return out


def _formats() -> list:
    from homecoming.formats.registry import FileFormat

    def writer(kind: str):
        def write(records: Sequence[Any], path: Path, **options: object) -> Path:
            return write_csv(kind, records, path)
        return write

    return [FileFormat(f"csv-{kind.replace('_', '-')}", f"{kind.replace('_', ' ')} as CSV "
                       "(one row per record)", (f".{kind}.csv",), "records", None, writer(kind),
                       module=__name__) for kind in RECORD_KINDS]


FORMATS = _formats()

__all__ = ["CLEAR", "FORMULA_NOTE", "RECORD_KINDS", "REFERENCES", "FieldChange", "UpdatePlan",
           "columns", "format_csv", "format_profiles_csv", "neutralise_cell", "plan_changes",
           "restore_cell", "write_csv", "FORMATS", "CLEARANCE_COLUMNS",
           "CLEARANCE_OPTIONAL_COLUMNS", "read_exhumations_csv", "read_custody_csv",
           "read_hazard_clearance_csv"]
