"""Lineage-marker CSV files: Y-STR haplotypes and mtDNA haplotypes (read and write).

The layouts (docs/reference/lineage-csv.md):

**Y-STR** (``homecoming import ystr``), long format, one row per sample and locus::

    barcode,locus,alleles[,kit,laboratory,typed_on]
    PM-0001,DYS19,14
    PM-0001,DYS385,11-14          # a multi-copy locus: copies separated by - / or space
    PM-0001,DYS385a,11            # … or one row per copy (DYS385a, DYS385b)

**mtDNA** (``homecoming import mtdna``), one row per sample::

    barcode,variants[,range,laboratory,typed_on]
    PM-0001,16069T 16126C 263G 315.1C 249d 16093Y,16024-16569 1-576

``variants`` are the differences to the rCRS separated by spaces (empty: the sample equals
the rCRS in its range); ``range`` the typed rCRS ranges (default the control region,
16024-16569 1-576).

Reading checks the whole file (every cell by the grammar of
:mod:`homecoming.casework.lineage`) and raises :class:`~homecoming.errors.FormatError`
naming the file, line and column at the first bad cell; the message never shows an allele
or a variant. Nothing here touches the database: the caller passes the keys it knows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Container, Iterable
from typing import Any

from homecoming.casework import CaseworkError
from homecoming.casework.lineage import MtdnaHaplotype, YHaplotype, canonical_y_locus
from homecoming.errors import FormatError
from homecoming.formats.csv_import import PathLikeStr, _Row, _rows, _short

__all__ = ["Y_COLUMNS", "Y_OPTIONAL_COLUMNS", "MT_COLUMNS", "MT_OPTIONAL_COLUMNS",
           "read_ystr_csv", "read_mtdna_csv", "format_ystr_csv", "format_mtdna_csv"]

Y_COLUMNS = ("barcode", "locus", "alleles")
Y_OPTIONAL_COLUMNS = ("kit", "laboratory", "typed_on")
MT_COLUMNS = ("barcode", "variants")
MT_OPTIONAL_COLUMNS = ("range", "laboratory", "typed_on")

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")
_HIDDEN = {"alleles", "variants"}


def _fail(where: str, row: _Row, column: str, message: str) -> FormatError:
    value = None if column in _HIDDEN else row.cells.get(column)
    return FormatError(message, path=where, line=row.line, column=column, value=value)


def _barcode(where: str, row: _Row, *, existing: Container[str],
             sample_barcodes: Container[str] | None, what: str) -> str:
    barcode = row.cells["barcode"]
    if not barcode:
        raise _fail(where, row, "barcode", "empty; expected a sample bar-code")
    if len(barcode) > 64 or not _CODE.match(barcode):
        raise _fail(where, row, "barcode", f"{_short(barcode)} is not a bar-code; expected "
                    "letters, digits and . _ : / - (no spaces, at most 64 characters)")
    if sample_barcodes is not None and barcode not in sample_barcodes:
        raise _fail(where, row, "barcode", f"{barcode!r} is not a stored sample; expected the "
                    "bar-code of a sample (homecoming import samples)")
    if barcode in existing:
        raise _fail(where, row, "barcode", f"{barcode!r} already has a stored {what}; "
                    f"expected a sample without one")
    return barcode


def _date(where: str, row: _Row) -> dt.date | None:
    value = row.cells.get("typed_on", "")
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(where, row, "typed_on", f"{_short(value)} is not a date; expected an ISO "
                    "date YYYY-MM-DD") from None
    if day > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
        raise _fail(where, row, "typed_on", f"{_short(value)} is in the future; expected a "
                    "date not after today")
    return day


def _casework_message(exc: CaseworkError) -> str:
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def read_ystr_csv(path: PathLikeStr, *, existing: Container[str] = frozenset(),
                  sample_barcodes: Container[str] | None = None) -> list[YHaplotype]:
    """Read and validate a Y-STR haplotype CSV (module docstring).

    :param existing: bar-codes that already have a stored Y haplotype (refused).
    :param sample_barcodes: bar-codes of stored samples (others refused), or None.
    :returns: one :class:`YHaplotype` per bar-code, in file order.
    :raises FormatError: at the first bad cell.
    """
    where = str(path)
    _, rows = _rows(path, required=Y_COLUMNS, allowed=Y_COLUMNS + Y_OPTIONAL_COLUMNS)
    loci: dict[str, dict[str, list[str]]] = {}
    seen: dict[tuple[str, str], int] = {}
    meta: dict[str, dict[str, tuple[Any, int]]] = {}
    first: dict[str, _Row] = {}
    for row in rows:
        barcode = _barcode(where, row, existing=existing, sample_barcodes=sample_barcodes,
                           what="Y-STR haplotype")
        locus_text = row.cells["locus"]
        if not locus_text:
            raise _fail(where, row, "locus", "empty; expected a Y-STR locus such as DYS19")
        locus = canonical_y_locus(locus_text)
        if (barcode, locus) in seen:
            raise _fail(where, row, "locus", f"{locus} of {barcode!r} appears twice (first on "
                        f"line {seen[barcode, locus]}); expected one row per sample and locus")
        seen[barcode, locus] = row.line
        if not row.cells["alleles"]:
            raise _fail(where, row, "alleles", f"empty at {locus}; expected a repeat number "
                        "such as 14 (leave an untyped locus out)")
        try:   # the cell alone, by the record's grammar (locus name, alleles, copies)
            YHaplotype(sample_barcode=barcode, haplotype={locus_text: row.cells["alleles"]})
        except CaseworkError as exc:
            column = "locus" if "locus name" in str(exc) else "alleles"
            raise _fail(where, row, column, _casework_message(exc)) from None
        loci.setdefault(barcode, {})[locus_text] = [row.cells["alleles"]]
        first.setdefault(barcode, row)
        info = meta.setdefault(barcode, {})
        for column in Y_OPTIONAL_COLUMNS:
            value: Any = row.cells.get(column, "")
            if not value:
                continue
            if column == "typed_on":
                value = _date(where, row)
            if column in info and info[column][0] != value:
                raise _fail(where, row, column, f"differs from line {info[column][1]} for "
                            f"{barcode!r}; expected one {column} per sample")
            info.setdefault(column, (value, row.line))
    out = []
    for barcode, haplotype in loci.items():
        merged: dict[str, Any] = {}
        for locus_text, cells in haplotype.items():
            merged[locus_text] = cells[0]
        try:
            out.append(YHaplotype(sample_barcode=barcode, haplotype=merged,
                                  **{k: v for k, (v, _) in meta[barcode].items()}))
        except CaseworkError as exc:
            raise _fail(where, first[barcode], "locus", f"the haplotype of {barcode!r}: "
                        f"{_casework_message(exc)}") from None
    return out


def read_mtdna_csv(path: PathLikeStr, *, existing: Container[str] = frozenset(),
                   sample_barcodes: Container[str] | None = None) -> list[MtdnaHaplotype]:
    """Read and validate an mtDNA haplotype CSV (module docstring), one row per sample.

    :raises FormatError: at the first bad cell.
    """
    where = str(path)
    _, rows = _rows(path, required=MT_COLUMNS, allowed=MT_COLUMNS + MT_OPTIONAL_COLUMNS)
    out: list[MtdnaHaplotype] = []
    seen: dict[str, int] = {}
    for row in rows:
        barcode = _barcode(where, row, existing=existing, sample_barcodes=sample_barcodes,
                           what="mtDNA haplotype")
        if barcode in seen:
            raise _fail(where, row, "barcode", f"{barcode!r} appears twice (first on line "
                        f"{seen[barcode]}); expected one row per sample")
        seen[barcode] = row.line
        fields: dict[str, Any] = {"sample_barcode": barcode,
                                  "variants": row.cells["variants"]}
        if row.cells.get("range"):
            fields["typed_range"] = row.cells["range"]
        if row.cells.get("laboratory"):
            fields["laboratory"] = row.cells["laboratory"]
        day = _date(where, row)
        if day is not None:
            fields["typed_on"] = day
        try:
            out.append(MtdnaHaplotype(**fields))
        except CaseworkError as exc:
            column = "range" if "typed_range" in str(exc) else "variants"
            if "outside the typed range" in str(exc):
                column = "variants"
            raise _fail(where, row, column, _casework_message(exc)) from None
    return out


def _write(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def format_ystr_csv(haplotypes: Iterable[YHaplotype]) -> str:
    """The Y-STR CSV (``barcode,locus,alleles,kit,laboratory,typed_on``) that
    :func:`read_ystr_csv` reads back; copies of a multi-copy locus joined by ``-``."""
    rows = []
    for h in haplotypes:
        for locus in sorted(h.haplotype):
            rows.append([h.sample_barcode, locus, "-".join(h.haplotype[locus]), h.kit,
                         h.laboratory, h.typed_on.isoformat() if h.typed_on else None])
    return _write(Y_COLUMNS + Y_OPTIONAL_COLUMNS, rows)


def format_mtdna_csv(haplotypes: Iterable[MtdnaHaplotype]) -> str:
    """The mtDNA CSV (``barcode,variants,range,laboratory,typed_on``) that
    :func:`read_mtdna_csv` reads back."""
    rows = [[h.sample_barcode, " ".join(h.variants),
             " ".join(f"{lo}-{hi}" for lo, hi in h.typed_range), h.laboratory,
             h.typed_on.isoformat() if h.typed_on else None] for h in haplotypes]
    return _write(MT_COLUMNS + MT_OPTIONAL_COLUMNS, rows)
