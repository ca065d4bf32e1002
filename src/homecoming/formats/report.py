"""Import reports: what an importer read, what it fixed and what it could not use.

Importers separate two kinds of problem, as pedFamilias' ``readFam`` does:

* **Structural faults** (a count that is not a number, a section that is missing, a value of
  the wrong kind) stop the import with a :class:`~homecoming.errors.FormatError` that names
  the file, the line and what was expected. Nothing is written from a file that stops.
* **Recoverable data problems** are fixed only where the fix is unambiguous, and every fix is
  listed in the :class:`ImportReport` (``fixes``), next to warnings about data that was read
  but will be used with a caveat (``warnings``) and plain notes (``notes``).

A report never contains allele values or genotypes (rule: genetic data never goes to logs);
entries name markers, people and line numbers only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from typing import Literal

from homecoming.errors import FormatError

Level = Literal["fix", "warning", "note"]


@dataclass(frozen=True)
class ReportEntry:
    """One line of an import report."""

    level: Level
    message: str
    line: int | None = None

    def to_dict(self) -> dict:
        return {"level": self.level, "message": self.message, "line": self.line}


@dataclass
class ImportReport:
    """What happened while reading one file.

    :param source: the file path (or a description such as ``"<stdin>"``).
    :param format: the registry name of the format (``"familias"``, ``"genemapper"`` ...).
    """

    source: str | None = None
    format: str | None = None
    entries: list[ReportEntry] = field(default_factory=list)
    #: what was read, e.g. ``{"persons": 3, "loci": 10}``
    counts: dict[str, int] = field(default_factory=dict)

    # --- recording ------------------------------------------------------------------------
    def _add(self, entry: ReportEntry) -> None:
        if entry not in self.entries:  # converting twice must not list a fix twice
            self.entries.append(entry)

    def fix(self, message: str, *, line: int | None = None) -> None:
        """Record a data problem that was fixed unambiguously."""
        self._add(ReportEntry("fix", message, line))

    def warn(self, message: str, *, line: int | None = None) -> None:
        """Record data that was read but is used with a caveat."""
        self._add(ReportEntry("warning", message, line))

    def note(self, message: str, *, line: int | None = None) -> None:
        self._add(ReportEntry("note", message, line))

    def stop(self, message: str, *, line: int | None = None, column: str | int | None = None,
             value: object = None, expected: str | None = None) -> FormatError:
        """Build the :class:`FormatError` for a structural fault (the caller raises it)."""
        return FormatError(message, path=self.source, line=line, column=column, value=value,
                           expected=expected)

    # --- reading --------------------------------------------------------------------------
    @property
    def fixes(self) -> list[ReportEntry]:
        return [e for e in self.entries if e.level == "fix"]

    @property
    def warnings(self) -> list[ReportEntry]:
        return [e for e in self.entries if e.level == "warning"]

    @property
    def notes(self) -> list[ReportEntry]:
        return [e for e in self.entries if e.level == "note"]

    @property
    def ok(self) -> bool:
        """True when nothing had to be fixed and nothing needs a caveat."""
        return not self.fixes and not self.warnings

    def merge(self, other: ImportReport) -> None:
        self.entries.extend(other.entries)
        for key, value in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + value

    def to_dict(self) -> dict:
        return {"source": self.source, "format": self.format, "counts": dict(self.counts),
                "fixes": [e.to_dict() for e in self.fixes],
                "warnings": [e.to_dict() for e in self.warnings],
                "notes": [e.to_dict() for e in self.notes]}

    def lines(self) -> list[str]:
        """Human-readable lines, one per entry, prefixed by the source and line number."""
        out = []
        for e in self.entries:
            where = self.source or "input"
            if e.line is not None:
                where = f"{where}, line {e.line}"
            out.append(f"{e.level}: {where}: {e.message}")
        return out

    def summary(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items()) or "nothing"
        head = f"{self.source or 'input'} ({self.format or 'unknown format'}): read {counts}"
        tail = f"; {len(self.fixes)} fixed, {len(self.warnings)} warnings"
        return head + tail


def source_name(path: str | PathLike[str] | None) -> str | None:
    return None if path is None else str(path)


__all__ = ["ImportReport", "ReportEntry", "source_name"]
