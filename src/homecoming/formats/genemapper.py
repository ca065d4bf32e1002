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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from homecoming.errors import FormatError, InputError
from homecoming.formats.report import ImportReport

AMELOGENIN = {"AMEL", "AMELOGENIN", "AM", "AMEL_XY"}
_ALLELE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")
OFF_LADDER = "OL"


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
        return {s.barcode: dict(s.genotypes) for s in self.samples
                if s.genotypes and (include_mixtures or not s.is_mixture)}


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
                    expected_loci: Sequence[str] | None = None) -> GeneMapperTable:
    """Read a GeneMapper allele table (see module doc)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror or exc}); expected a "
                          "GeneMapper allele table", path=str(path)) from None
    return parse_genemapper(_decode(data), path=str(path), expected_loci=expected_loci)


def parse_genemapper(text: str, *, path: str | None = None,
                     expected_loci: Sequence[str] | None = None) -> GeneMapperTable:
    report = ImportReport(source=path, format="genemapper")
    if "\x00" in text:
        raise FormatError("the file contains NUL bytes; expected a tab-separated text table",
                          path=path, line=text[: text.index("\x00")].count("\n") + 1)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"'))
    # skip leading empty lines
    start = 0
    while start < len(rows) and not any(c.strip() for c in rows[start]):
        start += 1
    if start >= len(rows):
        raise FormatError("the file is empty; expected a header row with 'Sample Name', "
                          "'Marker' and 'Allele 1'", path=path, line=1)
    header = [c.strip() for c in rows[start]]
    header_line = start + 1
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
    for n, row in enumerate(rows[start + 1:], start=header_line + 1):
        if not any(c.strip() for c in row):
            continue
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
        alleles = tuple(cells[i] for i in allele_cols if cells[i])
        key = (barcode, marker.upper())
        if key in seen:
            if seen[key][0] == alleles:
                report.fix(f"sample {barcode!r}, marker {marker}: exact repeat of line "
                           f"{seen[key][1]} dropped", line=n)
                continue
            raise FormatError(f"sample {barcode!r}, marker {marker} appears again with other "
                              f"alleles (first on line {seen[key][1]}); expected one row per "
                              "sample and marker", path=path, line=n, value=marker)
        seen[key] = (alleles, n)
        s = samples.get(barcode)
        if s is None:
            s = samples[barcode] = GeneMapperSample(barcode, first_line=n)
        if marker.upper() in AMELOGENIN:
            s.amelogenin = alleles or None
            continue
        if not alleles:
            s.missing_loci.append(marker)
            continue
        if len(alleles) > 2:
            s.mixture_loci.append(marker)
            report.warn(f"sample {barcode!r}, marker {marker}: {len(alleles)} alleles (mixture "
                        "or contamination); locus left out", line=n)
            continue
        if any(a.upper() == OFF_LADDER for a in alleles):
            s.off_ladder_loci.append(marker)
            report.warn(f"sample {barcode!r}, marker {marker}: off-ladder allele (OL); locus "
                        "left out", line=n)
            continue
        if not all(_ALLELE.match(a) for a in alleles):
            s.unreadable_loci.append(marker)
            report.warn(f"sample {barcode!r}, marker {marker}: an allele is not a repeat "
                        "number; locus left out", line=n)
            continue
        if len(alleles) == 1:
            alleles = (alleles[0], alleles[0])
            homozygous_note = True
        s.genotypes[marker] = (alleles[0], alleles[1])
    if homozygous_note:
        report.note("single alleles were read as homozygotes (GeneMapper convention)")
    if expected_loci is not None:
        _add_missing(samples.values(), expected_loci)
    for s in samples.values():
        if s.missing_loci:
            report.warn(f"sample {s.barcode!r}: {len(s.missing_loci)} loci without alleles "
                        f"({', '.join(s.missing_loci)})", line=s.first_line)
        if s.is_mixture:
            report.warn(f"sample {s.barcode!r}: more than two alleles at "
                        f"{len(s.mixture_loci)} loci; not imported as a single-source profile",
                        line=s.first_line)
    report.counts.update({"samples": len(samples),
                          "mixtures": sum(1 for s in samples.values() if s.is_mixture)})
    return GeneMapperTable(list(samples.values()), report, len(allele_cols))


def _add_missing(samples, expected_loci: Sequence[str]) -> list[GeneMapperSample]:
    changed = []
    for s in samples:
        present = {m.upper() for m in s.genotypes} | {m.upper() for m in (
            s.mixture_loci + s.off_ladder_loci + s.unreadable_loci + s.missing_loci)}
        before = len(s.missing_loci)
        for loc in expected_loci:
            if loc.upper() not in present and loc.upper() not in AMELOGENIN:
                s.missing_loci.append(loc)
                present.add(loc.upper())
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
                _check_cell(str(x), "allele")
            if len(a) == 2 and a[0] == a[1]:
                a = a[:1]
            w.writerow([barcode, locus] + [str(x) for x in a] + [""] * (2 - len(a)))
        if amelogenin and barcode in amelogenin:
            a = list(amelogenin[barcode])
            w.writerow([barcode, "AMEL"] + a + [""] * max(0, 2 - len(a)))
    return out.getvalue()


def _check_cell(value: str, what: str) -> None:
    if not value or any(c in value for c in "\t\r\n"):
        raise InputError(f"{what} {value!r} is empty or contains a tab or line break; a "
                         "GeneMapper table cannot hold it", field=what, value=value)


def write_genemapper(profiles: Mapping[str, Mapping[str, Sequence[str | None]]],
                     path: str | os.PathLike[str], **options: object) -> Path:
    from homecoming.formats.registry import atomic_write_text

    return atomic_write_text(path, format_genemapper(profiles, **options))  # type: ignore[arg-type]


def import_profiles(session: object, table: GeneMapperTable, *, kit: str | None = None,
                    laboratory: str | None = None, replace: bool = False,
                    include_mixtures: bool = False, dry_run: bool = False) -> ImportReport:
    """Store the table's profiles on their samples (by bar-code), in the caller's session.

    Every bar-code must be a stored sample; if one is not, or a sample already has a profile
    and ``replace`` is false, nothing is written and :class:`InputError` names them.
    Returns the table's report with counts ``added`` / ``replaced`` / ``skipped``.
    """
    from homecoming.casework import DnaProfile
    from homecoming.storage.repositories import ProfileRepository, SampleRepository

    report = table.report
    samples = SampleRepository(session)  # type: ignore[arg-type]
    profiles = ProfileRepository(session)  # type: ignore[arg-type]
    usable = [s for s in table.samples if s.genotypes and (include_mixtures or not s.is_mixture)]
    unknown = [s.barcode for s in usable if not samples.exists(s.barcode)]
    if unknown:
        raise InputError(f"{report.source or 'table'}: {len(unknown)} sample bar-codes are not "
                         f"stored samples ({', '.join(unknown[:10])}"
                         f"{' ...' if len(unknown) > 10 else ''}); nothing imported (Tip: "
                         "register the samples first)", field="Sample Name", value=unknown)
    existing = [s.barcode for s in usable if profiles.exists(s.barcode)]
    if existing and not replace:
        raise InputError(f"{report.source or 'table'}: samples {', '.join(existing[:10])} "
                         "already have a profile; nothing imported (Tip: --replace to "
                         "overwrite)", field="Sample Name", value=existing)
    added = replaced = 0
    for s in usable:
        record = DnaProfile(sample_barcode=s.barcode, genotypes=dict(s.genotypes), kit=kit,
                            laboratory=laboratory, quality=s.quality)
        if s.barcode in existing:
            if not dry_run:
                profiles.update(s.barcode, genotypes=record.genotypes, kit=kit,
                                laboratory=laboratory, quality=record.quality)
            replaced += 1
        else:
            if not dry_run:
                profiles.add(record)
            added += 1
    report.counts.update({"added": added, "replaced": replaced,
                          "skipped": len(table.samples) - len(usable)})
    return report


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
           "import_profiles",
           "parse_genemapper", "read_genemapper", "write_genemapper", "FORMATS"]
