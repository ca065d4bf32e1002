"""CSV import of DNA profiles and casework records (missing persons, reference donors,
samples, remains, post-mortem examinations, incidents), validated first.

Every reader here checks the **whole file** before anything is written and stops at the first
bad cell with a one-line :class:`~homecoming.errors.FormatError` naming the file, the line, the
column, the bad value and what was expected, e.g.::

    profiles.csv, line 7, column locus: 'D99S999' is not a known STR locus; expected a locus
    of the shipped frequency tables (e.g. D3S1358, vWA, FGA, ...)

The readers are pure: what already exists in the database (bar-codes, ids) is passed in as
sets, and they return validated casework records; ``homecoming import`` stores them in one
transaction. The layouts (documented in docs/howto/import-csv.md):

**Profiles** (long format, one row per sample and locus; UTF-8, comma-separated, header line)::

    barcode,locus,allele1,allele2[,kit][,laboratory][,quality][,typed_on]
    PM-0001,D3S1358,15,16,PowerPlex Fusion 6C,Lab A,full,2023-01-10
    PM-0001,TH01,9.3,9.3

``allele1``/``allele2``: STR repeat numbers (``15``, ``9.3``); a homozygote repeats the allele.
``kit``, ``laboratory``, ``quality`` (full / partial / low) and ``typed_on`` (ISO date, not in
the future) may be given on any row of a bar-code, and must agree where given twice. Rows for
the sex marker (``AMEL``/``Amelogenin``, alleles ``X``/``Y``) are checked and skipped.

**Missing persons, donors, samples, remains, examinations, incidents**: one row per record,
the columns are the record's field names (:class:`~homecoming.casework.MissingPerson`,
:class:`~homecoming.casework.Donor`, :class:`~homecoming.casework.Sample`,
:class:`~homecoming.casework.Remains`, :class:`~homecoming.casework.Examination`,
:class:`~homecoming.casework.Incident`); an empty cell means "not given". Dates are ISO
``YYYY-MM-DD`` and may not lie in the future. Nested values (a location, an age range, a list
of injuries or personal effects) are compact JSON in one cell, exactly as ``homecoming
export`` writes them, so an exported file imports into another database unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
import re
import types
import typing
from collections.abc import Collection, Container, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

from homecoming.casework import (
    CaseworkError,
    DnaProfile,
    Donor,
    Examination,
    Incident,
    MissingPerson,
    ProfileQuality,
    Record,
    Remains,
    Sample,
)
from homecoming.casework._base import PERSONAL_FIELDS
from homecoming.errors import FormatError
from homecoming.formats.checks import check_size, check_text, known_loci, show
from homecoming.formats.csv_records import restore_cell
from homecoming.genetics.alleles import (
    AMELOGENIN_NAMES,
    REPEAT_RANGE,
    AlleleError,
    canonical_locus,
    is_amelogenin,
    parse_amelogenin,
)
from homecoming.genetics.alleles import parse_allele as _parse_allele
from homecoming.pedigree.pedigree import Sex

__all__ = [
    "PROFILE_COLUMNS", "PROFILE_OPTIONAL_COLUMNS", "SEX_MARKERS", "known_loci",
    "parse_allele", "read_profiles_csv", "read_records_csv", "read_missing_persons_csv",
    "read_donors_csv", "read_samples_csv", "read_remains_csv", "read_examinations_csv",
    "read_incidents_csv", "record_columns", "nested_fields",
]

#: required columns of a profile CSV, in this order in the documentation
PROFILE_COLUMNS: tuple[str, ...] = ("barcode", "locus", "allele1", "allele2")
#: optional columns of a profile CSV (per bar-code metadata)
PROFILE_OPTIONAL_COLUMNS: tuple[str, ...] = ("kit", "laboratory", "quality", "typed_on")
#: sex-typing loci: checked (X/Y) and skipped, not stored as STR genotypes (the one
#: amelogenin set, :data:`homecoming.genetics.alleles.AMELOGENIN_NAMES`)
SEX_MARKERS = AMELOGENIN_NAMES

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")
#: repeat numbers outside this range are not real STR alleles
ALLELE_RANGE = REPEAT_RANGE
#: the longest cell of a record CSV (nested JSON values included), in characters
MAX_CELL = 65536

PathLikeStr = str | PathLike[str]


def _short(value: object) -> str:
    return show(value)


# --- reading the file --------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, str]


def _rows(path: PathLikeStr, *, required: Sequence[str], allowed: Collection[str],
          ) -> tuple[list[str], list[_Row]]:
    """Header and rows of a CSV file, with structural checks (header, number of cells)."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text (byte {exc.start}); expected a UTF-8 CSV file",
                          path=where) from None
    check_text(text, path=where, expected="comma-separated text")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FormatError("the file is empty; expected a header line with the columns "
                          f"{', '.join(required)}", path=where, line=1) from None
    except csv.Error as exc:
        raise FormatError(f"unreadable CSV ({exc}); expected comma-separated values",
                          path=where, line=1) from None
    for h in header:
        check_size(h, path=where, line=1, column=None, limit=200)
    header = [h.strip() for h in header]
    seen: set[str] = set()
    for h in header:
        if h not in allowed:
            raise FormatError(f"unknown column {show(h)}; expected columns from "
                              f"{', '.join(allowed)}", path=where, line=1,
                              column=(h if h.isprintable() else show(h)) or "(empty)",
                              value=h)
        if h in seen:
            raise FormatError(f"column {h!r} appears twice; expected each column once",
                              path=where, line=1, column=h, value=h)
        seen.add(h)
    for name in required:
        if name not in seen:
            raise FormatError(f"required column {name!r} is missing; expected at least "
                              f"{', '.join(required)}", path=where, line=1, column=name)
    rows: list[_Row] = []
    try:
        end = reader.line_num
        for cells in reader:
            line, end = end + 1, reader.line_num     # a quoted cell may span lines: the first
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise FormatError(f"{len(cells)} cells; expected {len(header)} (one per header "
                                  "column)", path=where, line=line, value=len(cells))
            for h, c in zip(header, cells):
                check_size(c, path=where, line=line, column=h, limit=MAX_CELL)
            rows.append(_Row(line, {h: restore_cell(c.strip()) for h, c in zip(header, cells)}))
    except csv.Error as exc:
        raise FormatError(f"unreadable CSV ({exc}); expected comma-separated values",
                          path=where, line=reader.line_num) from None
    if not rows:
        raise FormatError("no data rows after the header; expected at least one row (an "
                          "empty file imports nothing and is refused)", path=where, line=2)
    return header, rows


# --- profiles ----------------------------------------------------------------------------

def parse_allele(text: str, locus: str | None = None) -> str:
    """An STR allele label (``"15"``, ``"9.3"``), normalised (``"15.0"`` -> ``"15"``): the
    one grammar, :func:`homecoming.genetics.alleles.parse_allele`.

    :raises ValueError: with the expectation, if ``text`` is not a plausible STR allele.
    """
    return _parse_allele(text, locus)


def read_profiles_csv(path: PathLikeStr, *, loci: Mapping[str, str] | None = None,
                      existing_profiles: Container[str] = frozenset(),
                      sample_barcodes: Container[str] | None = None,
                      loci_label: str = "the shipped frequency tables") -> list[DnaProfile]:
    """Read and validate a long-format profile CSV (see the module doc).

    :param loci: accepted loci, canonical key (``canonical_locus``) -> stored name
        (default: :func:`known_loci`, every locus of the shipped frequency tables).
    :param loci_label: what ``loci`` are, for the error message.
    :param existing_profiles: bar-codes that already have a stored profile (refused).
    :param sample_barcodes: bar-codes of stored samples; when given, a profile for a bar-code
        not in it is refused (a profile belongs to a registered sample).
    :returns: one :class:`DnaProfile` per bar-code, in file order.
    :raises FormatError: at the first bad cell.
    """
    where = str(path)
    accepted = dict(loci) if loci is not None else known_loci()
    _, rows = _rows(path, required=PROFILE_COLUMNS,
                    allowed=PROFILE_COLUMNS + PROFILE_OPTIONAL_COLUMNS)
    genotypes: dict[str, dict[str, tuple[str, str]]] = {}
    meta: dict[str, dict[str, tuple[str, int]]] = {}
    first_line: dict[str, int] = {}
    locus_line: dict[tuple[str, str], int] = {}

    def fail(row: _Row, column: str, message: str) -> FormatError:
        # an allele is genetic data: the error names its place (file, line, column,
        # locus), never the allele itself, not even in ``value``
        value = None if column in ("allele1", "allele2") else row.cells.get(column)
        return FormatError(message, path=where, line=row.line, column=column, value=value)

    for row in rows:
        barcode = row.cells["barcode"]
        if not barcode:
            raise fail(row, "barcode", "empty; expected a sample bar-code")
        if len(barcode) > 64 or not _CODE.match(barcode):
            raise fail(row, "barcode", f"{_short(barcode)} is not a bar-code; expected letters, "
                                       "digits and . _ : / - (no spaces, at most 64 characters)")
        locus_text = row.cells["locus"]
        key = canonical_locus(locus_text)
        if not locus_text:
            raise fail(row, "locus", "empty; expected a locus name such as D3S1358")
        alleles: list[str] = []
        if is_amelogenin(locus_text):
            for column in ("allele1", "allele2"):
                if not is_valid_amelogenin(row.cells[column]):
                    raise fail(row, column, f"the allele at {locus_text} is not an amelogenin "
                                            "allele; expected X or Y")
            first_line.setdefault(barcode, row.line)
            continue
        if key not in accepted:
            examples = ", ".join(sorted(accepted.values())[:5])
            raise fail(row, "locus", f"{_short(locus_text)} is not a known STR locus; expected a "
                                     f"locus of {loci_label} (e.g. {examples}, ...)")
        locus = accepted[key]
        for column in ("allele1", "allele2"):
            value = row.cells[column]
            if not value:
                raise fail(row, column, f"empty; expected an STR allele at {locus} (write a "
                                        "homozygote's allele twice)")
            try:
                alleles.append(parse_allele(value, locus))
            except ValueError as exc:
                raise fail(row, column, f"the allele at {locus} is not a repeat number of the "
                                        f"STR grammar; {exc}") from None
        if (barcode, locus) in locus_line:
            raise fail(row, "locus", f"{locus} of {barcode!r} appears twice (first on line "
                                     f"{locus_line[barcode, locus]}); expected one row per "
                                     "sample and locus")
        locus_line[barcode, locus] = row.line
        first_line.setdefault(barcode, row.line)
        a, b = alleles
        genotypes.setdefault(barcode, {})[locus] = (a, b) if _allele_key(a) <= _allele_key(b) \
            else (b, a)
        info = meta.setdefault(barcode, {})
        for column in PROFILE_OPTIONAL_COLUMNS:
            value = row.cells.get(column, "")
            if not value:
                continue
            if column in info and info[column][0] != value:
                raise fail(row, column, f"{_short(value)} differs from {_short(info[column][0])} "
                                        f"on line {info[column][1]} for {barcode!r}; expected "
                                        "one value per sample")
            if column == "quality":
                try:
                    ProfileQuality(value.lower())
                except ValueError:
                    raise fail(row, column, f"{_short(value)} is not valid; expected one of "
                                            "full, partial, low") from None
            if column == "typed_on":
                _check_date(value, fail, row, column)
            info.setdefault(column, (value, row.line))

    out: list[DnaProfile] = []
    for barcode, line in first_line.items():
        probe = _Row(line, {"barcode": barcode})
        if barcode not in genotypes:
            raise fail(probe, "barcode", f"{barcode!r} has no STR locus rows; expected at least "
                                         "one STR genotype per sample")
        if barcode in existing_profiles:
            raise fail(probe, "barcode", f"{barcode!r} already has a stored profile; expected a "
                                         "bar-code without one (an import never overwrites)")
        if sample_barcodes is not None and barcode not in sample_barcodes:
            raise fail(probe, "barcode", f"{barcode!r} is not a stored sample; expected the "
                                         "bar-code of a registered sample (import the samples "
                                         "first: homecoming import samples)")
        info = {k: v for k, (v, _) in meta.get(barcode, {}).items()}
        if "quality" in info:
            info["quality"] = info["quality"].lower()
        try:
            out.append(DnaProfile(sample_barcode=barcode, genotypes=genotypes[barcode], **info))
        except CaseworkError as exc:
            raise _from_casework(exc, where, line, info.keys() | {"barcode"}) from None
    return out


def is_valid_amelogenin(text: str) -> bool:
    try:
        parse_amelogenin(text)
    except AlleleError:
        return False
    return True


def _allele_key(label: str) -> tuple[float, str]:
    try:
        return (float(label), label)
    except ValueError:
        return (float("inf"), label)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _check_date(value: str, fail: Any, row: _Row, column: str, *,
                personal: bool = False) -> dt.date:
    """``personal``: a person's date (a birth date): the message names the place, never
    the date."""
    shown = "the value" if personal else _short(value)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise fail(row, column, f"{shown} is not a date; expected an ISO date "
                                "YYYY-MM-DD") from None
    if day > _today() + dt.timedelta(days=1):
        raise fail(row, column, f"{shown} is in the future; expected a date not after "
                                f"today ({_today()})")
    return day


# --- records (one row per record) --------------------------------------------------------

def _scalar_fields(model: type[Record]) -> dict[str, Any]:
    """Field name -> annotation, for the fields a CSV cell can hold (no nested values)."""
    hints = typing.get_type_hints(model, include_extras=False)
    out = {}
    for name in model.model_fields:
        hint = hints.get(name)
        if typing.get_origin(hint) in (typing.Union, types.UnionType):   # X | None
            base = [a for a in typing.get_args(hint) if a is not type(None)][0]
        else:
            base = hint
        origin = typing.get_origin(base)
        if origin is typing.Annotated:
            base = typing.get_args(base)[0]
        if typing.get_origin(base) is not None:      # tuple[str, ...] and the like: JSON
            continue
        if isinstance(base, type) and (issubclass(base, (str, int, float, bool, dt.date,
                                                         enum.Enum))):
            out[name] = base
    return out


def nested_fields(model: type[Record]) -> list[str]:
    """Fields whose CSV cell holds compact JSON (a location, a range, a list of injuries or
    names), as ``homecoming export`` writes them."""
    scalar = _scalar_fields(model)
    return [n for n in model.model_fields if n not in scalar]


def record_columns(model: type[Record]) -> tuple[list[str], list[str]]:
    """(required, optional) CSV columns of a record type: its scalar field names."""
    fields = _scalar_fields(model)
    required = [n for n in fields if model.model_fields[n].is_required()]
    optional = [n for n in fields if n not in required]
    return required, optional


def _from_casework(exc: CaseworkError, where: str, line: int,
                   columns: Collection[str]) -> FormatError:
    field = str(exc.field or "")
    column = field.split(".", 1)[1] if "." in field else None
    expected = exc.expected or "a valid value"
    if column is None:
        # a rule across fields: name the first column the rule mentions
        text = str(exc)
        found = [(m.start(), c) for c in columns
                 if (m := re.search(rf"\b{re.escape(c)}\b", text)) is not None]
        column = min(found)[1] if found else None
        return FormatError(f"expected {expected}", path=where, line=line, column=column,
                           expected=expected)
    column = column.split(".")[0]
    if "missing;" in str(exc):
        return FormatError(f"missing; expected {expected}", path=where, line=line, column=column,
                           expected=expected)
    if column in PERSONAL_FIELDS.get(field.split(".", 1)[0], ()):
        # a name, birth date, ...: the place and the rule, never the value
        return FormatError(f"not valid; expected {expected}", path=where, line=line,
                           column=column, expected=expected)
    return FormatError(f"{_short(exc.value)} is not valid; expected {expected}", path=where,
                       line=line, column=column, value=exc.value, expected=expected)


def read_records_csv(path: PathLikeStr, model: type[Record], *,
                     existing_keys: Container[str] = frozenset(),
                     references: Mapping[str, tuple[Container[str], str]] | None = None,
                     ) -> list[Record]:
    """Read and validate one ``model`` record per row (columns = field names).

    :param existing_keys: keys already stored (a row repeating one is refused).
    :param references: column -> (ids that exist, what they are called), e.g.
        ``{"missing_person_id": (stored_ids, "missing person")}``; a non-empty cell that is
        not among the ids is refused.
    :raises FormatError: at the first bad cell.
    """
    where = str(path)
    required, optional = record_columns(model)
    fields: dict[str, Any] = _scalar_fields(model)
    nested = nested_fields(model)
    fields.update({n: json for n in nested})
    _, rows = _rows(path, required=required, allowed=required + optional + nested)
    key_field = model.key_field
    seen: dict[str, int] = {}
    out: list[Record] = []
    for row in rows:
        data: dict[str, Any] = {}
        for column, value in row.cells.items():
            if value == "":
                continue
            kind = fields[column]
            if kind is json:
                try:
                    value = json.loads(value)
                except json.JSONDecodeError as exc:
                    # never the cell: a JSON cell may hold names (a team, persons present)
                    raise FormatError(f"not valid JSON ({exc.msg} at character {exc.pos + 1} "
                                      f"of {len(value)}); expected a JSON value as "
                                      "`homecoming export` writes it", path=where,
                                      line=row.line, column=column) from None
            elif kind is Sex:
                try:
                    value = Sex.parse(value).value
                except ValueError:
                    raise FormatError(f"{_short(value)} is not valid; expected male, female or "
                                      "unknown", path=where, line=row.line, column=column,
                                      value=value) from None
            elif isinstance(kind, type) and issubclass(kind, enum.Enum):
                value = value.lower()
                allowed = [e.value for e in kind]
                if value not in allowed:
                    raise FormatError(f"{_short(row.cells[column])} is not valid; expected one "
                                      f"of {', '.join(allowed)}", path=where, line=row.line,
                                      column=column, value=row.cells[column])
            elif kind is dt.date:
                personal = column in PERSONAL_FIELDS.get(model.__name__, ())
                _check_date(value, lambda r, c, m, p=personal: FormatError(
                    m, path=where, line=r.line, column=c,
                    value=None if p else r.cells[c]), row, column, personal=personal)
            data[column] = value
        try:
            record = model.model_validate(data)
        except CaseworkError as exc:
            raise _from_casework(exc, where, row.line, list(row.cells)) from None
        key = record.key
        if key in seen:
            raise FormatError(f"{key!r} appears twice (first on line {seen[key]}); expected a "
                              f"unique {key_field}", path=where, line=row.line, column=key_field,
                              value=key)
        if key in existing_keys:
            raise FormatError(f"{key!r} already exists in the database; expected a new "
                              f"{key_field}", path=where, line=row.line, column=key_field,
                              value=key)
        seen[key] = row.line
        for column, (ids, noun) in (references or {}).items():
            value = row.cells.get(column, "")
            if value and value not in ids:
                raise FormatError(f"{_short(value)} is not a stored {noun}; expected the id of "
                                  f"an existing {noun}", path=where, line=row.line,
                                  column=column, value=value)
        out.append(record)
    return out


def read_missing_persons_csv(path: PathLikeStr, *, existing_ids: Container[str] = frozenset(),
                             incident_ids: Container[str] | None = None) -> list[MissingPerson]:
    """Missing persons, one per row (columns: :class:`MissingPerson` field names)."""
    refs = {"incident_id": (incident_ids, "incident")} if incident_ids is not None else {}
    return typing.cast(list[MissingPerson], read_records_csv(
        path, MissingPerson, existing_keys=existing_ids, references=refs))


def read_donors_csv(path: PathLikeStr, *, missing_person_ids: Container[str],
                    existing_ids: Container[str] = frozenset()) -> list[Donor]:
    """Reference donors, one per row; ``missing_person_id`` must name a stored missing person."""
    return typing.cast(list[Donor], read_records_csv(
        path, Donor, existing_keys=existing_ids,
        references={"missing_person_id": (missing_person_ids, "missing person")}))


def read_remains_csv(path: PathLikeStr, *, existing_codes: Container[str] = frozenset(),
                     grave_ids: Container[str] = frozenset(),
                     incident_ids: Container[str] = frozenset()) -> list[Remains]:
    """Remains, one per row (the layout of ``homecoming export remains``: nested values such
    as ``location`` and ``effects`` as JSON); ``grave_id`` / ``incident_id`` must be stored."""
    return typing.cast(list[Remains], read_records_csv(
        path, Remains, existing_keys=existing_codes,
        references={"grave_id": (grave_ids, "grave"), "incident_id": (incident_ids, "incident")}))


def read_examinations_csv(path: PathLikeStr, *, existing_ids: Container[str] = frozenset(),
                          remains_codes: Container[str] = frozenset()) -> list[Examination]:
    """Post-mortem examinations, one per row (the layout of ``homecoming export
    examinations``: ``age``/``stature`` ranges, injuries and cause-of-death lines as JSON);
    ``remains_code`` must name stored remains."""
    return typing.cast(list[Examination], read_records_csv(
        path, Examination, existing_keys=existing_ids,
        references={"remains_code": (remains_codes, "remains code")}))


def read_incidents_csv(path: PathLikeStr, *, existing_ids: Container[str] = frozenset(),
                       ) -> list[Incident]:
    """Incidents, one per row (the layout of ``homecoming export incidents``)."""
    return typing.cast(list[Incident], read_records_csv(path, Incident,
                                                        existing_keys=existing_ids))


def read_samples_csv(path: PathLikeStr, *, existing_barcodes: Container[str] = frozenset(),
                     remains_codes: Container[str] = frozenset(),
                     donor_ids: Container[str] = frozenset()) -> list[Sample]:
    """Samples, one per row; ``remains_code`` / ``donor_id`` must name stored records."""
    return typing.cast(list[Sample], read_records_csv(
        path, Sample, existing_keys=existing_barcodes,
        references={"remains_code": (remains_codes, "remains code"),
                    "donor_id": (donor_ids, "donor")}))

