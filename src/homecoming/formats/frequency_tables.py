"""Allele-frequency tables in three layouts: ours (CSV), Familias, STRidER-style.

* ``csv`` — our layout, the one the shipped databases use (genetics/data): a header
  ``locus,allele,frequency`` and one row per allele.
* ``familias`` — Familias' text database (as exported by Familias and read by pedtools'
  ``readFreqDatabase(format = "list")``): a locus name on its own line, then one
  ``allele<TAB>frequency`` line per allele; loci separated by blank lines. A ``.fam`` file's
  database can be read with :func:`read_frequency_table` too (format ``fam``).
* ``strider`` — STRidER-style matrix (alleles × loci, as downloaded from strider.online and
  pedtools' "ladder" layout): first column ``Allele``, one column per locus, an empty cell
  (or 0) when the allele is absent at that locus; an optional last row whose first cell is
  ``N`` gives the number of individuals per locus. Comma-, semicolon- or tab-separated.

Frequencies are never renormalised: a locus summing to 1 ± more than ``tolerance`` (1e-6
by default, or 2.5e-6 for STRidER, which publishes 6 significant digits) is reported as a
warning, and :meth:`FrequencyTable.markers_json` would be refused by the kinship-case reader.
Structural faults stop with file, line and what was expected.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from homecoming.errors import FormatError, InputError
from homecoming.formats.checks import check_size, check_text, show
from homecoming.formats.report import ImportReport
from homecoming.genetics.alleles import AlleleError, canonical_locus, is_valid_allele, parse_allele

DEFAULT_TOLERANCE = 1e-6
STRIDER_TOLERANCE = 2.5e-6


@dataclass
class FrequencyTable:
    """Loci in file order: ``{locus: [(allele, frequency), ...]}``."""

    loci: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    #: individuals typed per locus, where the file says
    sample_sizes: dict[str, int] = field(default_factory=dict)
    name: str | None = None
    report: ImportReport = field(default_factory=ImportReport, compare=False, repr=False)
    #: loci with allele labels outside the STR grammar (reported once each)
    non_str_loci: set[str] = field(default_factory=set, compare=False, repr=False)

    def frequencies(self, locus: str) -> dict[str, float]:
        try:
            return dict(self.loci[locus])
        except KeyError:
            raise InputError(f"locus {locus!r} is not in the table; expected one of "
                             f"{list(self.loci)}", field="locus", value=locus) from None

    def markers_json(self, names: Iterable[str] | None = None, *,
                     mutation: Mapping | None = None) -> list[dict]:
        """kinship-case@1 ``markers`` items (autosomal), optionally with one mutation model."""
        wanted = list(self.loci) if names is None else list(names)
        out = []
        for n in wanted:
            entries = self.loci.get(n)
            if entries is None:
                raise InputError(f"locus {n!r} is not in the table", field="locus", value=n)
            out.append({"name": n, "chromosome": "autosomal",
                        "alleles": [a for a, _ in entries],
                        "frequencies": [f for _, f in entries],
                        "mutation": None if mutation is None else dict(mutation)})
        return out

    def check_sums(self, tolerance: float = DEFAULT_TOLERANCE) -> dict[str, float]:
        """Loci whose frequencies are more than ``tolerance`` away from summing to 1."""
        return {k: s for k, v in self.loci.items()
                if abs((s := math.fsum(f for _, f in v)) - 1.0) > tolerance}


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _freq(text: str, path: str | None, line: int, what: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise FormatError(f"{what}: {text.strip()!r} is not a number; expected a frequency in "
                          "[0, 1]", path=path, line=line, value=text) from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise FormatError(f"{what}: {text.strip()!r}; expected a frequency in [0, 1]", path=path,
                          line=line, value=text)
    return value


def _add(table: FrequencyTable, locus: str, allele: str, f: float, path: str | None,
         line: int) -> None:
    if not locus:
        raise FormatError("empty locus name; expected a name", path=path, line=line)
    if not allele:
        raise FormatError(f"locus {locus}: empty allele name; expected a name", path=path,
                          line=line)
    check_size(locus, path=path, line=line, column="locus", limit=100)
    check_size(allele, path=path, line=line, column="allele", limit=100)
    if locus not in table.loci:
        key = canonical_locus(locus)
        same = next((k for k in table.loci if canonical_locus(k) == key), None)
        if same is not None:
            raise FormatError(f"locus {show(locus)} is the locus {show(same)} again under another "
                              "spelling; expected each locus once", path=path, line=line,
                              value=locus)
    entries = table.loci.setdefault(locus, [])
    label = _allele_label(allele, locus)
    if any(a == allele or _allele_label(a, locus) == label for a, _ in entries):
        raise FormatError(f"locus {locus}: allele {show(allele)} listed twice; expected one "
                          "entry per allele", path=path, line=line, value=allele)
    if not is_valid_allele(allele, locus) and locus not in table.non_str_loci:
        table.non_str_loci.add(locus)
        table.report.warn(f"locus {locus}: allele labels that are not STR repeat numbers (such "
                          f"as {show(allele)}); DNA profiles, which follow the STR allele "
                          "grammar, cannot carry them", line=line)
    entries.append((allele, f))


def _allele_label(allele: str, locus: str) -> str:
    """The allele as the grammar normalises it (``15.0`` is ``15``), or as written."""
    try:
        return parse_allele(allele, locus)
    except AlleleError:
        return allele


def _finish(table: FrequencyTable, tolerance: float, path: str | None) -> FrequencyTable:
    if not table.loci:
        raise FormatError("no loci; expected at least one locus with alleles", path=path)
    for locus, s in table.check_sums(tolerance).items():
        table.report.warn(f"locus {locus}: frequencies sum to {s:.9g}, not 1 within "
                          f"{tolerance:g}; left as published (never renormalised)")
    table.report.counts.update({"loci": len(table.loci),
                                "alleles": sum(len(v) for v in table.loci.values())})
    return table


# --- our CSV ------------------------------------------------------------------------------

def parse_frequency_csv(text: str, *, path: str | None = None,
                        tolerance: float = DEFAULT_TOLERANCE) -> FrequencyTable:
    check_text(text, path=path, expected="a text frequency table")
    table = FrequencyTable(report=ImportReport(source=path, format="frequency-csv"))
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if header is None or [h.strip().lower() for h in header] != ["locus", "allele", "frequency"]:
        raise FormatError(f"header {header!r}; expected 'locus,allele,frequency'", path=path,
                          line=1, value=header)
    for n, row in enumerate(rows, start=2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) != 3:
            raise FormatError(f"{len(row)} columns; expected 3 (locus, allele, frequency)",
                              path=path, line=n, value=len(row))
        locus, allele, value = (c.strip() for c in row)
        _add(table, locus, allele, _freq(value, path, n, f"locus {locus}, allele {allele!r}"),
             path, n)
    return _finish(table, tolerance, path)


def format_frequency_csv(table: FrequencyTable) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["locus", "allele", "frequency"])
    for locus, entries in table.loci.items():
        for a, f in entries:
            w.writerow([locus, a, repr(float(f))])
    return out.getvalue()


# --- Familias text database ---------------------------------------------------------------

def parse_familias_database(text: str, *, path: str | None = None,
                            tolerance: float = DEFAULT_TOLERANCE) -> FrequencyTable:
    check_text(text, path=path, expected="a text frequency table")
    table = FrequencyTable(report=ImportReport(source=path, format="familias-database"))
    locus: str | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            locus = None
            continue
        parts = line.split()
        if len(parts) == 1 or locus is None:
            if len(parts) != 1:
                raise FormatError(f"found {line[:40]!r}; expected a locus name on its own line "
                                  "before its alleles", path=path, line=n, value=line)
            locus = parts[0]
            if locus in table.loci:
                raise FormatError(f"locus {locus} appears twice; expected once", path=path,
                                  line=n, value=locus)
            table.loci[locus] = []
            continue
        if len(parts) != 2:
            raise FormatError(f"found {len(parts)} fields; expected 'allele<TAB>frequency' for "
                              f"locus {locus}", path=path, line=n, value=line)
        _add(table, locus, parts[0], _freq(parts[1], path, n, f"locus {locus}, allele "
                                           f"{parts[0]!r}"), path, n)
    empty = [k for k, v in table.loci.items() if not v]
    if empty:
        raise FormatError(f"loci {empty} have no alleles; expected 'allele<TAB>frequency' lines",
                          path=path)
    return _finish(table, tolerance, path)


def format_familias_database(table: FrequencyTable) -> str:
    blocks = []
    for locus, entries in table.loci.items():
        _plain(locus, "locus")
        lines = [locus] + [f"{_plain(a, 'allele')}\t{float(f)!r}" for a, f in entries]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _plain(value: str, what: str) -> str:
    if not value or any(c.isspace() for c in value):
        raise InputError(f"{what} {value!r} is empty or contains whitespace; the Familias "
                         "database layout cannot hold it", field=what, value=value)
    return value


def table_from_fam(path: str | os.PathLike[str]) -> FrequencyTable:
    """The frequency database of a Familias ``.fam`` file."""
    from homecoming.formats.familias import read_fam

    fam = read_fam(path)
    table = FrequencyTable(name=fam.database_name,
                           report=ImportReport(source=str(path), format="fam-database"))
    table.report.merge(fam.report)
    for loc in fam.loci:
        table.loci[loc.name] = list(zip(loc.alleles, loc.frequencies))
        if loc.database_size:
            table.sample_sizes[loc.name] = int(loc.database_size)
    return _finish(table, DEFAULT_TOLERANCE, str(path))


# --- STRidER-style matrix -----------------------------------------------------------------

def parse_strider(text: str, *, path: str | None = None,
                  tolerance: float = STRIDER_TOLERANCE) -> FrequencyTable:
    check_text(text, path=path, expected="a text frequency table")
    table = FrequencyTable(report=ImportReport(source=path, format="strider"))
    sample = text[:4096]
    delim = max((",", ";", "\t"), key=sample.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    if not rows or not rows[0] or rows[0][0].strip().lower() != "allele" or len(rows[0]) < 2:
        raise FormatError("expected a header row 'Allele' followed by one column per locus",
                          path=path, line=1, value=rows[0][:3] if rows and rows[0] else None)
    loci = [c.strip() for c in rows[0][1:]]
    if any(not c for c in loci) or len(set(loci)) != len(loci):
        raise FormatError("empty or repeated locus column; expected unique locus names",
                          path=path, line=1, value=loci)
    for locus in loci:
        table.loci[locus] = []
    for n, row in enumerate(rows[1:], start=2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) > len(loci) + 1:
            raise FormatError(f"{len(row)} cells; expected at most {len(loci) + 1}", path=path,
                              line=n, value=len(row))
        allele = row[0].strip()
        cells = [c.strip() for c in row[1:]] + [""] * (len(loci) + 1 - len(row))
        if allele.upper() == "N":
            for locus, c in zip(loci, cells):
                if c:
                    try:
                        table.sample_sizes[locus] = int(float(c))
                    except ValueError:
                        raise FormatError(f"N for locus {locus}: {c!r}; expected a count",
                                          path=path, line=n, value=c) from None
            continue
        for locus, c in zip(loci, cells):
            if not c:
                continue
            f = _freq(c.replace(",", ".") if delim == ";" else c, path, n,
                      f"locus {locus}, allele {allele!r}")
            if f > 0:
                _add(table, locus, allele, f, path, n)
    empty = [k for k, v in table.loci.items() if not v]
    for k in empty:
        del table.loci[k]
        table.report.warn(f"locus {k}: no allele with a frequency; left out")
    return _finish(table, tolerance, path)


def format_strider(table: FrequencyTable) -> str:
    loci = list(table.loci)
    alleles: list[str] = []
    for entries in table.loci.values():
        for a, _ in entries:
            if a not in alleles:
                alleles.append(a)

    def key(a: str) -> tuple:
        try:
            return (0, float(a), a)
        except ValueError:
            return (1, 0.0, a)

    alleles.sort(key=key)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Allele"] + loci)
    freqs = {k: dict(v) for k, v in table.loci.items()}
    for a in alleles:
        w.writerow([a] + [repr(float(freqs[k][a])) if a in freqs[k] else "" for k in loci])
    if table.sample_sizes:
        w.writerow(["N"] + [str(table.sample_sizes.get(k, "")) for k in loci])
    return out.getvalue()


# --- entry points -------------------------------------------------------------------------

LAYOUTS = ("csv", "familias", "strider", "fam")


def detect_layout(text: str, path: str | os.PathLike[str] | None = None) -> str:
    """Guess the layout from the suffix and the first line."""
    name = str(path or "").lower()
    if name.endswith(".fam"):
        return "fam"
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    low = first.strip().lower().replace(" ", "")
    if low.startswith("locus,allele,frequency"):
        return "csv"
    if low.startswith("allele"):
        return "strider"
    return "familias"


def read_frequency_table(path: str | os.PathLike[str], *, layout: str | None = None,
                         tolerance: float | None = None) -> FrequencyTable:
    """Read a frequency table in any of :data:`LAYOUTS` (guessed when not given)."""
    p = Path(path)
    if layout == "fam" or (layout is None and p.name.lower().endswith(".fam")):
        return table_from_fam(p)
    try:
        text = _decode(p.read_bytes())
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror or exc}); expected a frequency "
                          "table", path=str(path)) from None
    layout = layout or detect_layout(text, p)
    kw = {} if tolerance is None else {"tolerance": tolerance}
    if layout == "csv":
        t = parse_frequency_csv(text, path=str(path), **kw)
    elif layout == "familias":
        t = parse_familias_database(text, path=str(path), **kw)
    elif layout == "strider":
        t = parse_strider(text, path=str(path), **kw)
    else:
        raise InputError(f"layout {layout!r}; expected one of {LAYOUTS}", field="layout",
                         value=layout)
    t.name = t.name or p.stem
    return t


def write_frequency_table(table: FrequencyTable, path: str | os.PathLike[str], *,
                          layout: str = "csv") -> Path:
    from homecoming.formats.registry import atomic_write_text

    if layout == "csv":
        text = format_frequency_csv(table)
    elif layout == "familias":
        text = format_familias_database(table)
    elif layout == "strider":
        text = format_strider(table)
    else:
        raise InputError(f"layout {layout!r}; expected 'csv', 'familias' or 'strider'",
                         field="layout", value=layout)
    return atomic_write_text(path, text)


def _reader(layout: str):
    def read(path: Path, **options: object):
        from homecoming.formats.registry import Imported

        t = read_frequency_table(path, layout=layout, **options)  # type: ignore[arg-type]
        return Imported(t, t.report)
    return read


def _writer(layout: str):
    def write(table: FrequencyTable, path: Path, **options: object) -> Path:
        return write_frequency_table(table, path, layout=layout)
    return write


def _formats() -> list:
    from homecoming.formats.registry import FileFormat

    return [
        FileFormat("frequency-csv", "allele frequencies, locus,allele,frequency CSV",
                   (".freq.csv",), "frequencies", _reader("csv"), _writer("csv"), __name__),
        FileFormat("familias-database", "allele frequencies, Familias text database",
                   (".freq.txt",), "frequencies", _reader("familias"), _writer("familias"),
                   __name__),
        FileFormat("strider", "allele frequencies, STRidER-style allele x locus matrix",
                   (".strider.csv",), "frequencies", _reader("strider"), _writer("strider"),
                   __name__),
    ]


FORMATS = _formats()

__all__ = ["FrequencyTable", "LAYOUTS", "detect_layout", "format_familias_database",
           "format_frequency_csv", "format_strider", "parse_familias_database",
           "parse_frequency_csv", "parse_strider", "read_frequency_table", "table_from_fam",
           "write_frequency_table", "FORMATS"]
