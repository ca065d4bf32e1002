"""Lab uploads: one use case for every file the DNA laboratory sends, dry run first.

:func:`run_upload` checks (``dry_run=True``) or imports a GeneMapper ID/ID-X allele table, a
CODIS CMF 3.2 file, or one of the lab's casework CSV files (profiles, staff profiles,
samples) through the importers of :mod:`homecoming.services.imports` — the same code path
for the dry run and for the import, never a second copy of the import logic — and returns an
:class:`UploadReport` of plain values: rows imported / skipped (with the reasons the reader
gave), the sample bar-codes concerned, or the refusal with the file name, line and column.

The report names the file by the name the person uploaded (``filename``), never by the
temporary path it was kept under. Like every report of the readers, it holds no allele, no
genotype and no name (bar-codes only).

Permissions: ``records.import`` plus the ``*.write`` of what the file stores
(:data:`UPLOAD_KINDS`), checked for the dry run too (the dry run reads stored records).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from homecoming.errors import FormatError, InputError
from homecoming.services._common import _authorize

__all__ = ["UPLOAD_KINDS", "LAB_KINDS", "UploadReport", "Refusal", "run_upload",
           "sha256_file", "upload_permissions"]

#: upload kind -> the write permission it needs besides ``records.import``
UPLOAD_KINDS: dict[str, str] = {
    "genemapper": "profiles.write",
    "codis": "profiles.write",
    "profiles": "profiles.write",
    "staff-profiles": "staff_profiles.write",
    "samples": "samples.write",
}
#: the kinds read by :func:`~homecoming.services.imports.import_lab_profiles`
LAB_KINDS = ("genemapper", "codis")

PERMISSION_IMPORT = "records.import"


def upload_permissions(kind: str) -> tuple[str, str]:
    """The two permissions an upload of ``kind`` needs."""
    if kind not in UPLOAD_KINDS:
        raise InputError(f"upload kind {kind!r}; expected one of {', '.join(UPLOAD_KINDS)}",
                         field="kind", value=kind)
    return PERMISSION_IMPORT, UPLOAD_KINDS[kind]


@dataclass(frozen=True)
class Refusal:
    """Why a file was refused: where (file, line, column) and the reader's reason."""

    file: str
    line: int | None
    column: str | None
    reason: str


@dataclass
class UploadReport:
    """What a dry run found (or an import stored) in one uploaded file."""

    kind: str
    filename: str
    sha256: str
    dry_run: bool
    #: records (profiles, samples) that are / would be stored as new records
    added: int = 0
    #: profiles that replace a stored one (GeneMapper / CODIS with ``replace``)
    replaced: int = 0
    #: data rows imported and skipped (GeneMapper / CODIS; a CSV file is all or nothing)
    rows_imported: int | None = None
    rows_skipped: int | None = None
    #: samples of the file not imported (mixtures, no genotype)
    samples_skipped: int = 0
    #: the bar-codes (or keys) of the records stored or to be stored
    keys: list[str] = field(default_factory=list)
    #: the reader's report lines: (level, line, message)
    entries: list[tuple[str, int | None, str]] = field(default_factory=list)
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def stored(self) -> int:
        return self.added + self.replaced

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return out


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _clean(text: str, path: Path, filename: str) -> str:
    """The message with the temporary path replaced by the name the person uploaded."""
    return text.replace(str(path), filename)


def _refusal(exc: InputError, path: Path, filename: str) -> Refusal:
    if isinstance(exc, FormatError):
        column = None if exc.column is None else str(exc.column)
        return Refusal(filename, exc.line, column, _clean(exc.reason, path, filename))
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Refusal(filename, None, exc.field, _clean(message, path, filename))


def run_upload(db: Any, kind: str, path: str | Path, *, filename: str | None = None,
               dry_run: bool = True, replace: bool = False, kit: str | None = None,
               laboratory: str | None = None, expected_sha256: str | None = None,
               actor: str | None = None) -> UploadReport:
    """Check (``dry_run``) or import the file ``path`` of ``kind`` (:data:`UPLOAD_KINDS`).

    A file the reader refuses (a bad row, an unknown bar-code, a sample that already has a
    profile) comes back as a report with :attr:`UploadReport.refusal` set and nothing written;
    only a refused permission or a changed file raises.

    :param filename: the name shown in the report (default: the file's own name).
    :param expected_sha256: refuse (InputError) unless the file is exactly the one with this
        SHA-256 (the bytes that were dry-run are the bytes that are imported).
    :raises PermissionDenied: ``actor`` lacks ``records.import`` or the kind's write.
    """
    from homecoming.services import imports

    permissions = upload_permissions(kind)
    path = Path(path)
    shown = filename or path.name
    digest = sha256_file(path)
    if expected_sha256 is not None and digest != expected_sha256:
        raise InputError(f"{shown}: the file is not the one that was checked (SHA-256 "
                         f"{digest[:12]}…, expected {expected_sha256[:12]}…); expected the "
                         "same upload as the dry run", field="sha256", value=digest)
    with db.session() as session:
        _authorize(session, permissions[0], actor, *permissions[1:])
    report = UploadReport(kind, shown, digest, dry_run)
    try:
        if kind in LAB_KINDS:
            result = imports.import_lab_profiles(
                db, path, fmt=kind, kit=kit, laboratory=laboratory, replace=replace,
                dry_run=dry_run, actor=actor)
            counts = result.counts
            report.added = int(counts.get("added", 0))
            report.replaced = int(counts.get("replaced", 0))
            report.samples_skipped = int(counts.get("skipped", 0))
            if "rows imported" in counts:
                report.rows_imported = int(counts["rows imported"])
                report.rows_skipped = int(counts.get("rows skipped", 0))
            report.entries = [(e.level, e.line, _clean(e.message, path, shown))
                              for e in result.entries]
            report.keys = sorted(_lab_keys(path, kind))
        else:
            csv_result = imports.import_csv(db, kind, path, dry_run=dry_run, actor=actor)
            report.added = csv_result.count
            report.rows_imported = csv_result.count
            report.rows_skipped = 0
            report.keys = _csv_keys(path, kind)
    except InputError as exc:
        report.added = report.replaced = 0
        report.keys = []
        report.refusal = _refusal(exc, path, shown)
    return report


def _lab_keys(path: Path, kind: str) -> set[str]:
    """The bar-codes of the samples a lab file holds (read again: cheap, no database)."""
    import importlib

    from homecoming.services.imports import LAB_FORMATS

    module, func = LAB_FORMATS[kind].split(":")
    table = getattr(importlib.import_module(module), func)(path)
    return {s.barcode for s in table.usable()}


_KEY_COLUMNS = {"profiles": "barcode", "staff-profiles": "barcode", "samples": "barcode"}


def _csv_keys(path: Path, kind: str) -> list[str]:
    """The keys (bar-codes, staff codes) of a checked CSV file, in file order."""
    import csv

    column = _KEY_COLUMNS.get(kind)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if column is None or reader.fieldnames is None or column not in reader.fieldnames:
            return []
        return list(dict.fromkeys(row[column].strip() for row in reader
                                  if (row.get(column) or "").strip()))
