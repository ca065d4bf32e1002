"""Validate-then-store for every importer.

Every import reads and checks the whole file first (``homecoming.formats``) and stores it in
one transaction: a bad cell stops the import with one line naming the file, line, column, the
bad value and what was expected, and nothing from that file is written. Every insert and
update is audited under the acting person (``actor``).

* :func:`import_csv` — the long-format CSV importers (profiles, staff profiles, missing
  persons, donors, samples, incidents, remains, examinations, exhumations, custody
  transfers, hazard-area clearance);
* :func:`import_lab_profiles` — GeneMapper ID/ID-X tables and CODIS CMF 3.2 XML;
* :func:`import_geojson` — sites, graves and hazard areas;
* :func:`update_records` — ``csv-update`` (a CSV keyed by id; dry run shows the diff);
* :func:`convert_familias` — check and convert a Familias ``.fam`` file (nothing stored).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homecoming.errors import FormatError, InputError
from homecoming.services._common import _authorize

__all__ = ["CSV_KINDS", "ImportResult", "import_csv", "unknown_loci", "import_lab_profiles",
           "LAB_FORMATS", "import_geojson", "update_records", "UPDATE_KINDS",
           "convert_familias", "FamiliasConversion", "check_csv_file"]

#: the permission every import needs, besides the ``<kind>.write`` of what it writes
PERMISSION_IMPORT = "records.import"


@dataclass(frozen=True)
class ImportResult:
    """What a CSV import stored (or, in a dry run, found valid)."""

    kind: str            # e.g. "missing-persons"
    noun: str            # e.g. "missing persons"
    count: int
    source: str
    database: str
    dry_run: bool


#: the kinds of CSV file :func:`import_csv` reads -> (noun, the command that imports it)
CSV_KINDS: dict[str, str] = {
    "profiles": "profiles",
    "staff-profiles": "staff profiles",
    "missing-persons": "missing persons",
    "donors": "donors",
    "samples": "samples",
    "incidents": "incidents",
    "remains": "remains",
    "examinations": "examinations",
    "exhumations": "exhumations",
    "custody-events": "custody transfers",
    "hazard-clearance": "hazard-area clearances",
}


#: repository attribute -> the permission to write it, where not "<attribute>.write"
_WRITE_PERMISSION = {"custody_events": "custody.write", "hazard_areas": "sites.write"}


def check_csv_file(path: Path, command: str) -> None:
    """Refuse, with one line naming what to do instead, a file that is not a comma-separated
    CSV: an Excel workbook, a semicolon- or tab-separated export, a GeneMapper table, JSON.

    :param command: the command that was used (``homecoming import profiles``).
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror}); expected a readable CSV "
                          "file", path=path) from None
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError("is an Excel workbook, not a CSV file; expected a comma-separated CSV "
                          f"(in Excel: Save As > 'CSV UTF-8 (Comma delimited)'), then "
                          f"`{command}` again", path=path)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        raise FormatError(f"is JSON, not CSV; expected a comma-separated CSV for `{command}` "
                          "(a dvi-dataset JSON file is read by `homecoming identify FILE`)",
                          path=path, line=1)
    if "\t" in first and "," not in first:
        if "sample name" in first.lower() and "marker" in first.lower():
            raise FormatError("is a GeneMapper allele table (tab-separated 'Sample Name', "
                              f"'Marker', ...), not the CSV `{command}` reads; expected "
                              "`homecoming import genemapper FILE`", path=path, line=1)
        raise FormatError("is tab-separated; expected a comma-separated CSV (separator ',')",
                          path=path, line=1)
    if ";" in first and "," not in first:
        raise FormatError("is semicolon-separated (separator ';', as Excel writes in some "
                          "locales); expected a comma-separated CSV (separator ','): save it "
                          "as 'CSV UTF-8 (Comma delimited)'", path=path, line=1)
    if stripped.startswith("<"):
        raise FormatError(f"is XML, not CSV; expected a comma-separated CSV for `{command}` "
                          "(CODIS CMF XML is read by `homecoming import codis FILE`)",
                          path=path, line=1)


def _frequency_loci(frequencies: str | None) -> tuple[dict[str, str] | None, str]:
    if frequencies is None:
        return None, "the shipped frequency tables"
    from homecoming.genetics.frequencies import canonical_locus, load_database

    freq = load_database(frequencies)
    return ({canonical_locus(locus): locus for locus in freq.loci},
            f"frequency database {freq.name!r}")


def _reader(kind: str, path: Path, frequencies: str | None,
            ) -> tuple[str, Callable[[Any], list[Any]]]:
    """(repository attribute, read(repos) -> validated records) of a CSV kind."""
    from homecoming.formats import csv_import as ci
    from homecoming.formats import csv_records as cr

    if kind in ("profiles", "staff-profiles"):
        loci, label = _frequency_loci(frequencies)
        if kind == "profiles":
            return "profiles", lambda r: ci.read_profiles_csv(
                path, loci=loci, loci_label=label, existing_profiles=r.profiles.keys(),
                sample_barcodes=r.samples.keys())

        def staff(r: Any) -> list[Any]:
            from homecoming.storage.repositories.staff import StaffProfile

            return [StaffProfile.from_profile(p) for p in ci.read_profiles_csv(
                path, loci=loci, loci_label=label, existing_profiles=r.staff_profiles.keys(),
                sample_barcodes=None)]
        return "staff_profiles", staff
    if frequencies is not None:
        raise InputError(f"frequencies apply to profiles only, not to {kind}",
                         field="frequencies", value=frequencies)
    readers: dict[str, tuple[str, Callable[[Any], list[Any]]]] = {
        "missing-persons": ("missing_persons", lambda r: ci.read_missing_persons_csv(
            path, existing_ids=r.missing_persons.keys(), incident_ids=r.incidents.keys())),
        "donors": ("donors", lambda r: ci.read_donors_csv(
            path, missing_person_ids=r.missing_persons.keys(), existing_ids=r.donors.keys())),
        "samples": ("samples", lambda r: ci.read_samples_csv(
            path, existing_barcodes=r.samples.keys(), remains_codes=r.remains.keys(),
            donor_ids=r.donors.keys())),
        "incidents": ("incidents", lambda r: ci.read_incidents_csv(
            path, existing_ids=r.incidents.keys())),
        "remains": ("remains", lambda r: ci.read_remains_csv(
            path, existing_codes=r.remains.keys(), grave_ids=r.graves.keys(),
            incident_ids=r.incidents.keys())),
        "examinations": ("examinations", lambda r: ci.read_examinations_csv(
            path, existing_ids=r.examinations.keys(), remains_codes=r.remains.keys())),
        "exhumations": ("exhumations", lambda r: cr.read_exhumations_csv(
            path, existing_ids=r.exhumations.keys(), grave_ids=r.graves.keys())),
        "custody-events": ("custody_events", lambda r: cr.read_custody_csv(
            path, existing_ids=r.custody_events.keys(), sample_barcodes=r.samples.keys(),
            remains_codes=r.remains.keys())),
        "hazard-clearance": ("hazard_areas", lambda r: cr.read_hazard_clearance_csv(
            path, areas={a.id: a for a in r.hazard_areas.list()})),
    }
    return readers[kind]


def import_csv(db: Any, kind: str, path: str | Path, *, frequencies: str | None = None,
               dry_run: bool = False, actor: str | None = None) -> ImportResult:
    """Validate the CSV file ``path`` of ``kind`` (:data:`CSV_KINDS`) against the stored
    records and store it in one transaction (nothing when ``dry_run``).

    :param frequencies: profiles only: accept only the loci of this shipped frequency
        database (default: the loci of any shipped table).
    """
    from homecoming.storage.repositories import Repositories

    if kind not in CSV_KINDS:
        raise InputError(f"record kind {kind!r}; expected one of {', '.join(CSV_KINDS)}",
                         field="kind", value=kind)
    path = Path(path)
    check_csv_file(path, f"homecoming import {kind}")
    attribute, read = _reader(kind, path, frequencies)
    with db.session() as session:
        if not dry_run:
            _authorize(session, PERMISSION_IMPORT, actor,
                       _WRITE_PERMISSION.get(attribute, f"{attribute}.write"))
        repos = Repositories(session, user=actor)
        records = read(repos)
        if not dry_run and kind == "hazard-clearance":   # updates of stored areas
            for area in records:
                repos.hazard_areas.update(area.id, cleared=True, cleared_on=area.cleared_on,
                                          cleared_by=area.cleared_by, notes=area.notes)
        elif not dry_run:
            getattr(repos, attribute).add_all(records)
    return ImportResult(kind, CSV_KINDS[kind], len(records), str(path), db.masked_url, dry_run)


# --- GeneMapper and CODIS -----------------------------------------------------------------

#: lab profile format -> "module:reader"
LAB_FORMATS: dict[str, str] = {
    "genemapper": "homecoming.formats.genemapper:read_genemapper",
    "codis": "homecoming.formats.codis:read_cmf",
}


def unknown_loci(names: Sequence[str]) -> list[str]:
    """The names among ``names`` that are not loci of the shipped frequency tables (nor
    amelogenin)."""
    from homecoming.formats.csv_import import SEX_MARKERS, known_loci
    from homecoming.genetics.frequencies import canonical_locus

    known = set(known_loci()) | {canonical_locus(x) for x in SEX_MARKERS}
    return [x for x in names if canonical_locus(x) not in known]


def import_lab_profiles(db: Any, path: str | Path, *, fmt: str, kit: str | None = None,
                        laboratory: str | None = None, loci: Sequence[str] | None = None,
                        replace: bool = False, include_mixtures: bool = False,
                        dry_run: bool = False, actor: str | None = None) -> Any:
    """Store the profiles of a GeneMapper table or CODIS CMF file on the samples with those
    bar-codes; returns the :class:`~homecoming.formats.report.ImportReport` (counts
    ``added`` / ``replaced`` / ``skipped``).

    Every bar-code must be a stored sample; if one is not, or a sample already has a profile
    and ``replace`` is false, nothing is written and :class:`InputError` names them.

    :param loci: the kit's loci: loci without a row or an allele are reported as missing.
    """
    import importlib

    from homecoming.formats.genemapper import flag_missing_loci
    from homecoming.services.format_store import import_profiles

    if fmt not in LAB_FORMATS:
        raise InputError(f"format {fmt!r}; expected one of {', '.join(LAB_FORMATS)}",
                         field="format", value=fmt)
    module, func = LAB_FORMATS[fmt].split(":")
    table = getattr(importlib.import_module(module), func)(Path(path))
    if loci:
        unknown = unknown_loci(loci)
        if unknown:
            raise InputError(f"{unknown[0]!r} is not a known STR locus; expected loci of the "
                             "shipped frequency tables (e.g. D3S1358,vWA,FGA)", field="loci",
                             value=unknown[0])
        flag_missing_loci(table, list(loci))
    with db.session() as session:
        if not dry_run:
            _authorize(session, PERMISSION_IMPORT, actor, "profiles.write")
        return import_profiles(session, table, kit=kit, laboratory=laboratory,
                               replace=replace, include_mixtures=include_mixtures,
                               dry_run=dry_run, user=actor)


# --- GeoJSON ------------------------------------------------------------------------------

_GEO_ORDER = ("site", "hazard_area", "grave")  # parents before children
_GEO_PERMISSION = {"site": "sites.write", "hazard_area": "sites.write", "grave": "graves.write"}


def import_geojson(db: Any, path: str | Path, *, kind: str | None = None,
                   replace: bool = False, dry_run: bool = False,
                   actor: str | None = None) -> Any:
    """Sites, graves and hazard areas from a GeoJSON FeatureCollection, in one transaction.

    A record whose key already exists stops the import unless ``replace`` (then it is updated,
    each change audited). Returns the import report (counts ``added`` / ``updated``).

    :param kind: record type of features without a ``record_type`` property.
    """
    from homecoming.formats.geojson import read_geojson
    from homecoming.services.format_store import import_records

    imported = read_geojson(Path(path), kind=kind)
    with db.session() as session:
        if not dry_run:
            _authorize(session, PERMISSION_IMPORT, actor,
                       *sorted({_GEO_PERMISSION[rt] for rt in _GEO_ORDER
                                if imported.of_type(rt)}))
        return import_records(session, imported, replace=replace, dry_run=dry_run,
                              user=actor)


# --- csv-update ---------------------------------------------------------------------------

#: record types ``csv-update`` changes
UPDATE_KINDS = ("missing-persons", "donors", "remains", "samples", "examinations", "incidents")


def update_records(db: Any, record_type: str, path: str | Path, *, dry_run: bool = False,
                   actor: str | None = None) -> Any:
    """Update stored records from a CSV keyed by id (first column: id / code / barcode;
    other columns: fields to change; an empty cell leaves a field unchanged, ``NULL`` clears
    it). The whole file is checked first; returns the
    :class:`~homecoming.formats.csv_records.UpdatePlan` (its diff), written unless
    ``dry_run``."""
    from homecoming.services.format_store import plan_update
    from homecoming.storage.repositories import Repositories

    if record_type not in UPDATE_KINDS:
        raise InputError(f"record type {record_type!r}; expected one of "
                         f"{', '.join(UPDATE_KINDS)}", field="record_type", value=record_type)
    kind = record_type.replace("-", "_")
    with db.session() as session:
        plan = plan_update(session, kind, Path(path))
        if not dry_run:
            _authorize(session, PERMISSION_IMPORT, actor, f"{kind}.write")
            repo = getattr(Repositories(session, user=actor), kind)
            for key in plan.keys:
                repo.update(key, **plan._updates[key])
    return plan


# --- Familias -----------------------------------------------------------------------------

@dataclass
class FamiliasConversion:
    """A checked Familias file: what it holds (``dvi``, ``kinship`` or ``database``), the
    import report, and the files written."""

    kind: str
    report: Any
    written: list[Path] = field(default_factory=list)

    @property
    def what(self) -> str:
        return {"dvi": "DVI dataset", "kinship": "kinship case",
                "database": "frequency database"}[self.kind]


def convert_familias(path: str | Path, *, output: str | Path | None = None,
                     as_kind: str = "auto", frequencies_out: str | Path | None = None,
                     undecided_sex: str = "unknown") -> FamiliasConversion:
    """Check a Familias ``.fam`` file and convert it: pedigrees to a kinship case
    (kinship-case@1), the [DVI] section to a DVI dataset (dvi-dataset@1), written to
    ``output``; the file's frequency database as locus,allele,frequency CSV to
    ``frequencies_out``. Nothing is stored in the database.

    :param as_kind: ``auto``, ``kinship`` or ``dvi``.
    :param undecided_sex: DVI: sex of a missing person the file leaves open.
    """
    from homecoming.formats.familias import read_fam
    from homecoming.formats.registry import atomic_write_text

    path = Path(path)
    fam = read_fam(path)
    kind = as_kind if as_kind != "auto" else ("dvi" if fam.is_dvi else "kinship")
    database_only = (not fam.is_dvi and not fam.persons and not fam.known_extra_females
                     and not fam.known_extra_males)
    data: Any
    if database_only and as_kind == "auto":
        kind = "database"
        if output is not None:
            raise InputError(f"{path} holds only a frequency database (no persons, no [DVI] "
                             "section), so there is nothing for -o; use --frequencies FILE.csv "
                             "to convert the database")
        data = None
    elif kind == "dvi":
        from homecoming.formats.dvi_dataset import load_dvi_dataset

        data = fam.to_dvi_dataset(undecided_sex=undecided_sex)
        load_dvi_dataset(data)  # validate
    else:
        from homecoming.formats.kinship_case import load_kinship_case

        data = fam.to_kinship_case()
        load_kinship_case(data)
    texts: dict[Path, str] = {}
    if output is not None:
        texts[Path(output)] = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if frequencies_out is not None:
        from homecoming.formats.frequency_tables import FrequencyTable, format_frequency_csv

        table = FrequencyTable({loc.name: list(zip(loc.alleles, loc.frequencies, strict=True))
                                for loc in fam.loci})
        texts[Path(frequencies_out)] = format_frequency_csv(table)
    for out, text in texts.items():
        atomic_write_text(out, text)
    return FamiliasConversion(kind, fam.report, list(texts))
