"""GeneMapper ID / ID-X allele tables: profiles by sample bar-code.

GeneMapper exports one row per sample and marker, tab-separated, with a header row. We use
the columns ``Sample Name``, ``Marker`` and ``Allele 1`` … ``Allele n`` (any number; other
columns such as ``Sample File``, ``Panel``, ``Size 1`` or ``Height 1`` are ignored)::

    Sample Name<TAB>Marker<TAB>Allele 1<TAB>Allele 2
    PM-0001<TAB>D3S1358<TAB>15<TAB>16
    PM-0001<TAB>TH01<TAB>9.3<TAB>            one allele = homozygous (GeneMapper convention)
    PM-0001<TAB>AMEL<TAB>X<TAB>Y

Rules (import report, see :mod:`homecoming.formats.report`):

* **Stops** (FormatError with file, line, expected): no header with ``Sample Name``,
  ``Marker`` and ``Allele 1``; a row with more cells than the header; an empty sample name or
  marker; the same sample and marker twice with different alleles.
* **Flags** (warnings; the locus is left out of the profile): more than two alleles at a
  locus (mixture or contamination — such a *sample* is not imported unless
  ``include_mixtures=True``), an off-ladder allele (``OL``), an allele that is not a repeat
  number. Loci of the expected kit (``expected_loci``) that have no row or no allele are
  listed as missing.
* **Fixes**: an exact repeat of a row is dropped; a single allele is read as a homozygote
  (reported once per file as a note, since that is how GeneMapper writes homozygotes).

Amelogenin (``AMEL``, ``Amelogenin``, ``AM``) is kept apart: ``X`` alone suggests female,
``X, Y`` male; it is not a genotype for the kinship engine.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from homecoming.errors import FormatError, InputError
from homecoming.formats.checks import (
    check_alleles,
    check_locus,
    check_size,
    check_text,
    known_loci,
    show,
)
from homecoming.formats.report import ImportReport
from homecoming.genetics.alleles import (
    AMELOGENIN_NAMES,
    canonical_locus,
    is_amelogenin,
    is_off_ladder,
)

#: spellings of amelogenin (kept for callers; the check is :func:`is_amelogenin`)
AMELOGENIN = set(AMELOGENIN_NAMES)


@dataclass
class GeneMapperSample:
    """One sample of an allele table."""

    barcode: str
    genotypes: dict[str, tuple[str, str]] = field(default_factory=dict)
    amelogenin: tuple[str, ...] | None = None
    mixture_loci: list[str] = field(default_factory=list)
    off_ladder_loci: list[str] = field(default_factory=list)
    unreadable_loci: list[str] = field(default_factory=list)
    missing_loci: list[str] = field(default_factory=list)
    first_line: int | None = None
    #: rows whose genotype is in ``genotypes`` / rows read for the sample but not stored
    genotype_rows: int = 0
    rows_skipped: int = 0

    @property
    def is_mixture(self) -> bool:
        return bool(self.mixture_loci)

    @property
    def sex_from_amelogenin(self) -> str:
        if not self.amelogenin:
            return "unknown"
        s = {a.upper() for a in self.amelogenin}
        if s == {"X"}:
            return "female"
        if s == {"X", "Y"}:
            return "male"
        return "unknown"

    @property
    def quality(self) -> str:
        """``full``, ``partial`` (loci missing or left out) or ``low`` (mixture)."""
        if self.is_mixture:
            return "low"
        if self.missing_loci or self.off_ladder_loci or self.unreadable_loci:
            return "partial"
        return "full"


@dataclass
class GeneMapperTable:
    samples: list[GeneMapperSample]
    report: ImportReport
    allele_columns: int = 2

    def sample(self, barcode: str) -> GeneMapperSample:
        for s in self.samples:
            if s.barcode == barcode:
                return s
        raise InputError(f"sample {barcode!r} is not in the table", field="barcode",
                         value=barcode)

    def profiles(self, *, include_mixtures: bool = False) -> dict[str, dict[str, tuple[str, str]]]:
        """``{barcode: {locus: (a, b)}}`` of the samples that can be imported."""
        return {s.barcode: dict(s.genotypes) for s in self.usable(
            include_mixtures=include_mixtures)}

    def usable(self, *, include_mixtures: bool = False) -> list[GeneMapperSample]:
        """The samples that can be imported (a genotype, and no mixture unless allowed)."""
        return [s for s in self.samples
                if s.genotypes and (include_mixtures or not s.is_mixture)]

    @property
    def id_column(self) -> str:
        """The column (element) holding the bar-code: ``Sample Name`` or ``SPECIMENID``."""
        return "SPECIMENID" if self.report.format == "codis" else "Sample Name"

    def require_stored(self, is_stored: Callable[[str], bool],
                       samples: Sequence[GeneMapperSample] | None = None) -> None:
        """Refuse the table if a sample's bar-code is not a stored sample: the error names the
        file, the line where the sample starts and the column (for callers that look the
        samples up, e.g. the application layer)."""
        unknown = [s for s in (self.usable() if samples is None else samples)
                   if not is_stored(s.barcode)]
        if unknown:
            more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            raise FormatError(f"{show(unknown[0].barcode)} is not a stored sample{more}; "
                              "expected the bar-code of a registered sample; nothing imported "
                              "(Tip: register the samples first)", path=self.report.source,
                              line=unknown[0].first_line, column=self.id_column,
                              value=[s.barcode for s in unknown])

    def count_rows(self, imported: Sequence[GeneMapperSample]) -> None:
        """Record in the report how many rows were imported and skipped (every row read is
        one or the other; a refused row stops the file)."""
        rows = self.report.counts.get("rows", 0)
        done = sum(s.genotype_rows for s in imported)
        taken = {id(s) for s in imported}
        unused = sum(s.genotype_rows for s in self.samples if id(s) not in taken)
        self.report.counts.update({"rows imported": done, "rows skipped": rows - done})
        if unused:
            self.report.note(f"rows skipped: {unused} of samples not imported (mixtures)")


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_genemapper(path: str | os.PathLike[str], *,
                    expected_loci: Sequence[str] | None = None,
                    loci: Mapping[str, str] | None = None,
                    loci_label: str = "the shipped frequency tables") -> GeneMapperTable:
    """Read a GeneMapper allele table (see module doc)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror or exc}); expected a "
                          "GeneMapper allele table", path=str(path)) from None
    return parse_genemapper(_decode(data), path=str(path), expected_loci=expected_loci,
                            loci=loci, loci_label=loci_label)


_LINE_END = re.compile(r"\r\n|\r|\n")
#: the most refused rows listed before reading stops
MAX_REFUSED = 1000


def _rows(text: str) -> list[list[str]]:
    """Tab-separated rows: GeneMapper has no quote character, so ``"`` is plain text."""
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return [line.split("\t") for line in lines]


def parse_genemapper(text: str, *, path: str | None = None,
                     expected_loci: Sequence[str] | None = None,
                     loci: Mapping[str, str] | None = None,
                     loci_label: str = "the shipped frequency tables") -> GeneMapperTable:
    """Read a GeneMapper allele table from text (see module doc).

    :param loci: accepted loci, canonical key -> name (default: every locus of the shipped
        frequency tables, :func:`homecoming.formats.checks.known_loci`).
    :raises FormatError: naming the file, line and column of the first refused row (and how
        many rows were refused in all); nothing is returned from a refused file.
    """
    report = ImportReport(source=path, format="genemapper")
    check_text(text, path=path, expected="a tab-separated text table")
    accepted = dict(loci) if loci is not None else known_loci()
    rows = _rows(text)
    # skip leading empty lines
    start = 0
    while start < len(rows) and not any(c.strip() for c in rows[start]):
        start += 1
    if start >= len(rows):
        raise FormatError("the file is empty; expected a header row with 'Sample Name', "
                          "'Marker' and 'Allele 1'", path=path, line=1)
    header_line = start + 1
    for k, cell in enumerate(rows[start]):
        check_size(cell, path=path, line=header_line, column=k + 1)
    header = [c.strip() for c in rows[start]]
    for col in ("Sample Name", "Marker", "Allele 1"):
        if col not in header:
            raise FormatError(f"the header has no {col!r} column; expected tab-separated "
                              "columns 'Sample Name', 'Marker', 'Allele 1', 'Allele 2' ...",
                              path=path, line=header_line, value=header[:6])
    if header.count("Marker") > 1 or header.count("Sample Name") > 1:
        raise FormatError("the header repeats 'Sample Name' or 'Marker'; expected one row per "
                          "sample and marker", path=path, line=header_line)
    i_sample, i_marker = header.index("Sample Name"), header.index("Marker")
    allele_cols = []
    k = 1
    while f"Allele {k}" in header:
        allele_cols.append(header.index(f"Allele {k}"))
        k += 1
    samples: dict[str, GeneMapperSample] = {}
    seen: dict[tuple[str, str], tuple[tuple[str, ...], int]] = {}
    homozygous_note = False
    refused: list[FormatError] = []
    n_rows = skipped = 0

    def refuse(message: str, line: int, column: str | None = None) -> None:
        refused.append(FormatError(message, path=path, line=line, column=column))
        if len(refused) >= MAX_REFUSED:
            raise _refusal(refused, stopped=True)

    reasons: dict[str, int] = {}

    def skip(s: GeneMapperSample | None, message: str, line: int, reason: str) -> None:
        nonlocal skipped
        skipped += 1
        reasons[reason] = reasons.get(reason, 0) + 1
        if s is not None:
            s.rows_skipped += 1
        if message:
            report.warn(message, line=line)

    for n, row in enumerate(rows[start + 1:], start=header_line + 1):
        if not any(c.strip() for c in row):
            continue
        n_rows += 1
        for j, cell in enumerate(row):
            name = header[j] if j < len(header) and header[j] else j + 1
            check_size(cell, path=path, line=n, column=name)
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            raise FormatError(f"{len(row)} cells but the header has {len(header)}; expected at "
                              "most one cell per header column", path=path, line=n,
                              value=len(row))
        cells = [c.strip() for c in row] + [""] * (len(header) - len(row))
        barcode, marker = cells[i_sample], cells[i_marker]
        if not barcode:
            raise FormatError("empty 'Sample Name'; expected a sample bar-code", path=path,
                              line=n, column="Sample Name")
        if not marker:
            raise FormatError("empty 'Marker'; expected a marker name", path=path, line=n,
                              column="Marker")
        raw = [(header[i], cells[i]) for i in allele_cols if cells[i]]
        alleles = tuple(a for _, a in raw)
        try:
            locus = check_locus(marker, accepted, loci_label)
        except ValueError as exc:
            refuse(f"sample {show(barcode)}: {exc}", n, "Marker")
            continue
        key = (barcode, canonical_locus(marker))
        if key in seen:
            if seen[key][0] == alleles:
                report.fix(f"sample {show(barcode)}, marker {show(marker)}: exact repeat of "
                           f"line {seen[key][1]} dropped", line=n)
                skip(samples.get(barcode), "", n, "exact repeat")
                continue
            raise FormatError(f"sample {show(barcode)}, marker {show(marker)} appears again with "
                              f"other alleles (first on line {seen[key][1]}); expected one row "
                              "per sample and marker", path=path, line=n, value=marker)
        seen[key] = (alleles, n)
        s = samples.get(barcode)
        if s is None:
            s = samples[barcode] = GeneMapperSample(barcode, first_line=n)
        bad = next(((col, a) for col, a in raw
                    if not (is_off_ladder(a) and locus != "AMEL") and not _valid(locus, a)),
                   None)
        if bad is not None:
            try:
                check_alleles(locus, [bad[1]])
            except ValueError as exc:
                refuse(f"sample {show(barcode)}, marker {show(marker)}: {exc}", n, bad[0])
            continue
        if locus == "AMEL":
            s.amelogenin = check_alleles(locus, alleles) or None
            skip(s, "", n, "amelogenin (sex, not stored as a genotype)")
            continue
        if not alleles:
            s.missing_loci.append(marker)
            skip(s, "", n, "no allele")
            continue
        if len(alleles) > 2:
            s.mixture_loci.append(marker)
            skip(s, f"sample {show(barcode)}, marker {show(marker)}: {len(alleles)} alleles "
                    "(mixture or contamination); locus left out", n, "more than two alleles")
            continue
        if any(is_off_ladder(a) for a in alleles):
            s.off_ladder_loci.append(marker)
            skip(s, f"sample {show(barcode)}, marker {show(marker)}: off-ladder allele (OL); "
                    "locus left out", n, "off-ladder")
            continue
        alleles = check_alleles(locus, alleles)
        if len(alleles) == 1:
            alleles = (alleles[0], alleles[0])
            homozygous_note = True
        s.genotypes[marker] = (alleles[0], alleles[1])
        s.genotype_rows += 1
    if refused:
        raise _refusal(refused)
    if not samples:
        raise FormatError("no data rows after the header; expected one row per sample and "
                          "marker", path=path, line=header_line)
    if homozygous_note:
        report.note("single alleles were read as homozygotes (GeneMapper convention)")
    if reasons:
        report.note("rows skipped: " + ", ".join(f"{k} {why}" for why, k in reasons.items()))
    if expected_loci is not None:
        _add_missing(samples.values(), expected_loci)
    for s in samples.values():
        if s.missing_loci:
            report.warn(f"sample {show(s.barcode)}: {len(s.missing_loci)} loci without alleles "
                        f"({', '.join(s.missing_loci)})", line=s.first_line)
        if s.is_mixture:
            report.warn(f"sample {show(s.barcode)}: more than two alleles at "
                        f"{len(s.mixture_loci)} loci; not imported as a single-source profile",
                        line=s.first_line)
    report.counts.update({"samples": len(samples),
                          "mixtures": sum(1 for s in samples.values() if s.is_mixture),
                          "rows": n_rows, "rows skipped": skipped})
    return GeneMapperTable(list(samples.values()), report, len(allele_cols))


def _valid(locus: str, allele: str) -> bool:
    try:
        check_alleles(locus, [allele])
    except ValueError:
        return False
    return True


def _refusal(refused: Sequence[FormatError], *, stopped: bool = False) -> FormatError:
    """The first refusal, saying how many rows were refused in all."""
    first = refused[0]
    more = (f"; {len(refused)} rows refused in all" if len(refused) > 1 else "") + \
        (" (reading stopped there)" if stopped else "")
    return FormatError(f"{first.reason}{more}; nothing imported", path=first.path,
                       line=first.line, column=first.column)


def _add_missing(samples, expected_loci: Sequence[str]) -> list[GeneMapperSample]:
    changed = []
    for s in samples:
        present = {canonical_locus(m) for m in s.genotypes} | {canonical_locus(m) for m in (
            s.mixture_loci + s.off_ladder_loci + s.unreadable_loci + s.missing_loci)}
        before = len(s.missing_loci)
        for loc in expected_loci:
            if canonical_locus(loc) not in present and not is_amelogenin(loc):
                s.missing_loci.append(loc)
                present.add(canonical_locus(loc))
        if len(s.missing_loci) != before:
            changed.append(s)
    return changed


def flag_missing_loci(table: GeneMapperTable, expected_loci: Sequence[str]) -> None:
    """List the kit's loci that a sample lacks (after reading; also used for CODIS files)."""
    for s in _add_missing(table.samples, expected_loci):
        table.report.warn(f"sample {s.barcode!r}: {len(s.missing_loci)} loci without alleles "
                          f"({', '.join(s.missing_loci)})", line=s.first_line)


def format_genemapper(profiles: Mapping[str, Mapping[str, Sequence[str | None]]], *,
                      amelogenin: Mapping[str, Sequence[str]] | None = None) -> str:
    """A GeneMapper-style allele table for ``{barcode: {locus: alleles}}``.

    A homozygote is written with one allele (as GeneMapper does); an unknown allele
    (``None``) is left empty.
    """
    out = io.StringIO()
    w = csv.writer(out, delimiter="\t", lineterminator="\r\n")
    w.writerow(["Sample Name", "Marker", "Allele 1", "Allele 2"])
    for barcode, genotypes in profiles.items():
        _check_cell(barcode, "sample name")
        for locus, alleles in genotypes.items():
            _check_cell(locus, "marker")
            a = [x for x in alleles if x is not None]
            for x in a:
                _check_cell(str(x), f"an allele of sample {show(barcode)} at {show(locus)}")
            if len(a) == 2 and a[0] == a[1]:
                a = a[:1]
            w.writerow([barcode, locus] + [str(x) for x in a] + [""] * (2 - len(a)))
        if amelogenin and barcode in amelogenin:
            a = list(amelogenin[barcode])
            w.writerow([barcode, "AMEL"] + a + [""] * max(0, 2 - len(a)))
    return out.getvalue()


def _check_cell(value: str, what: str) -> None:
    if not value or any(c in value for c in "\t\r\n"):
        # the value may be an allele (genetic data): name the field, not the value
        raise InputError(f"{what}: a value that is empty or contains a tab or line break; a "
                         "GeneMapper table cannot hold it", field=what)


def write_genemapper(profiles: Mapping[str, Mapping[str, Sequence[str | None]]],
                     path: str | os.PathLike[str], **options: object) -> Path:
    from homecoming.formats.registry import atomic_write_text

    return atomic_write_text(path, format_genemapper(profiles, **options))  # type: ignore[arg-type]


def _registry_reader(path: Path, **options: object):
    from homecoming.formats.registry import Imported

    table = read_genemapper(path, **options)  # type: ignore[arg-type]
    return Imported(table, table.report)


def _formats() -> list:
    from homecoming.formats.registry import FileFormat

    return [FileFormat("genemapper", "GeneMapper ID/ID-X allele table (tab-separated)",
                       (".genemapper.txt", ".gm.txt", ".tsv"), "profiles", _registry_reader,
                       write_genemapper, module=__name__)]


FORMATS = _formats()

__all__ = ["GeneMapperSample", "GeneMapperTable", "flag_missing_loci", "format_genemapper",
           "parse_genemapper", "read_genemapper", "write_genemapper", "FORMATS"]
