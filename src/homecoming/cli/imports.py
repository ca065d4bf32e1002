"""``homecoming import …``: validated imports of CSV files into the database.

Every subcommand reads and checks the whole file first (``homecoming.formats.csv_import``) and
stores it in one transaction: a bad cell stops the import with one line naming the file, line,
column, the bad value and what was expected, and nothing from that file is written. The
layouts are documented in docs/howto/import-csv.md.

More importers (GeneMapper, CODIS, Familias, GeoJSON) register themselves from
``homecoming.cli.format_imports`` (its ``register(import_group)``), if that module exists.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

__all__ = ["import_group"]

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _open_database(ctx: click.Context) -> Any:
    from homecoming.cli.database import open_database

    db = open_database(ctx)
    db.require_current()
    return db


def _keys(session: Any, column: Any) -> set[str]:
    from sqlalchemy import select

    return set(session.execute(select(column)).scalars())


def _store(ctx: click.Context, path: Path, noun: str, dry_run: bool,
           read: Callable[[Any], list[Any]], repository: str) -> None:
    """Validate ``path`` with ``read(session)`` and add the records in the same transaction."""
    from homecoming.storage.repositories import Repositories

    db = _open_database(ctx)
    with db.session() as session:
        records = read(session)
        if not dry_run:
            getattr(Repositories(session), repository).add_all(records)
    if dry_run:
        click.echo(f"{path}: {len(records)} {noun} are valid (dry run: nothing written).")
    else:
        click.echo(f"Imported {len(records)} {noun} from {path} into {db.masked_url}.")


_DRY_RUN = click.option("--dry-run", is_flag=True,
                        help="Only validate the file; write nothing.")


@click.group("import")
def import_group() -> None:
    """Import records from files (validated first; one transaction per file).

    A bad row stops the import with its file, line, column, value and what was expected;
    nothing from that file is written.
    """


@import_group.command("profiles", short_help="DNA profiles (long-format CSV: barcode,locus,allele1,allele2).")
@click.argument("file", type=_FILE)
@click.option("--frequencies", "database", metavar="NAME",
              help="Accept only the loci of this shipped frequency database (see "
                   "`homecoming frequencies list`); default: the loci of any shipped table.")
@_DRY_RUN
@click.pass_context
def import_profiles(ctx: click.Context, file: Path, database: str | None, dry_run: bool) -> None:
    """DNA profiles from a long-format CSV: barcode,locus,allele1,allele2[,kit,laboratory,
    quality,typed_on] (one row per sample and locus).

    Each bar-code must be a stored sample without a profile; loci must be in the shipped
    frequency tables; alleles are repeat numbers such as 15 or 9.3.
    """
    from homecoming.formats.csv_import import read_profiles_csv
    from homecoming.genetics.frequencies import canonical_locus, load_database
    from homecoming.storage import tables

    loci, label = None, "the shipped frequency tables"
    if database is not None:
        freq = load_database(database)
        loci = {canonical_locus(locus): locus for locus in freq.loci}
        label = f"frequency database {freq.name!r}"

    def read(session: Any) -> list[Any]:
        return read_profiles_csv(file, loci=loci, loci_label=label,
                                 existing_profiles=_keys(session, tables.profiles.c.sample_barcode),
                                 sample_barcodes=_keys(session, tables.samples.c.barcode))
    _store(ctx, file, "profiles", dry_run, read, "profiles")


@import_group.command("staff-profiles", short_help="Elimination (staff) profiles (long-format CSV, as profiles).")
@click.argument("file", type=_FILE)
@click.option("--frequencies", "database", metavar="NAME",
              help="Accept only the loci of this shipped frequency database; default: the "
                   "loci of any shipped table.")
@_DRY_RUN
@click.pass_context
def import_staff_profiles(ctx: click.Context, file: Path, database: str | None,
                          dry_run: bool) -> None:
    """Elimination profiles of staff (excavators, anthropologists, laboratory staff) for
    the contamination check `homecoming screen --elimination`.

    The same long-format CSV as `homecoming import profiles`: barcode,locus,allele1,allele2
    [,kit,laboratory,quality,typed_on], one row per person and locus, where the barcode
    column holds the staff member's code (never a name). Each code must be new.
    """
    from homecoming.formats.csv_import import read_profiles_csv
    from homecoming.genetics.frequencies import canonical_locus, load_database
    from homecoming.storage import tables
    from homecoming.storage.repositories.staff import StaffProfile

    loci, label = None, "the shipped frequency tables"
    if database is not None:
        freq = load_database(database)
        loci = {canonical_locus(locus): locus for locus in freq.loci}
        label = f"frequency database {freq.name!r}"

    def read(session: Any) -> list[Any]:
        existing = _keys(session, tables.staff_profiles.c.staff_code)
        return [StaffProfile.from_profile(p) for p in
                read_profiles_csv(file, loci=loci, loci_label=label,
                                  existing_profiles=existing, sample_barcodes=None)]
    _store(ctx, file, "staff profiles", dry_run, read, "staff_profiles")


@import_group.command("missing-persons", short_help="Missing persons (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_missing_persons(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Missing persons from a CSV, one per row; the columns are the record's fields:
    id,surname,given_name,reported_by,reported_on (required) and patronymic, birth_date,
    birth_place, sex, height_cm, last_seen_place, last_seen_on, circumstances,
    distinguishing_marks, dental_notes, clothing, status, military_unit, incident_id,
    sharing_level, notes (optional)."""
    from homecoming.formats.csv_import import read_missing_persons_csv
    from homecoming.storage import tables

    def read(session: Any) -> list[Any]:
        return read_missing_persons_csv(file, existing_ids=_keys(session, tables.missing_persons.c.id),
                                        incident_ids=_keys(session, tables.incidents.c.id))
    _store(ctx, file, "missing persons", dry_run, read, "missing_persons")


@import_group.command("donors", short_help="Reference donors of stored missing persons (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_donors(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Reference donors (relatives of missing persons) from a CSV, one per row:
    id,missing_person_id,full_name,relationship (required) and sex, birth_date, family_id,
    pedigree_id, pedigree_father, pedigree_mother, consent, consent_on, sharing_level,
    contact, collection_place, notes (optional). The missing person must be stored."""
    from homecoming.formats.csv_import import read_donors_csv
    from homecoming.storage import tables

    def read(session: Any) -> list[Any]:
        return read_donors_csv(file, missing_person_ids=_keys(session, tables.missing_persons.c.id),
                               existing_ids=_keys(session, tables.donors.c.id))
    _store(ctx, file, "donors", dry_run, read, "donors")


@import_group.command("samples", short_help="Samples from remains or donors (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_samples(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Samples from a CSV, one per row: barcode,source,element,collected_on (required) and
    remains_code or donor_id, laboratory, ordered_by, result_status, notes (optional)."""
    from homecoming.formats.csv_import import read_samples_csv
    from homecoming.storage import tables

    def read(session: Any) -> list[Any]:
        return read_samples_csv(file, existing_barcodes=_keys(session, tables.samples.c.barcode),
                                remains_codes=_keys(session, tables.remains.c.code),
                                donor_ids=_keys(session, tables.donors.c.id))
    _store(ctx, file, "samples", dry_run, read, "samples")


@import_group.command("incidents", short_help="Incidents (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_incidents(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Incidents (events of violence) from a CSV, one per row, in the layout of `homecoming
    export incidents`: id,occurred_on,place (required) and occurred_until, location (GeoJSON
    geometry as JSON), weapon_class, description, source (optional)."""
    from homecoming.formats.csv_import import read_incidents_csv
    from homecoming.storage import tables

    def read(session: Any) -> list[Any]:
        return read_incidents_csv(file, existing_ids=_keys(session, tables.incidents.c.id))
    _store(ctx, file, "incidents", dry_run, read, "incidents")


@import_group.command("remains", short_help="Remains (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_remains(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Remains from a CSV, one per row, in the layout of `homecoming export remains`: code
    (required) and kind, grave_id, incident_id, recovered_on, position, location (JSON),
    depth_m, condition, effects (JSON list), status, storage_location, notes (optional).
    The grave (import it with `homecoming import geojson`) and the incident must be stored."""
    from homecoming.formats.csv_import import read_remains_csv
    from homecoming.storage import tables

    def read(session: Any) -> list[Any]:
        return read_remains_csv(file, existing_codes=_keys(session, tables.remains.c.code),
                                grave_ids=_keys(session, tables.graves.c.id),
                                incident_ids=_keys(session, tables.incidents.c.id))
    _store(ctx, file, "remains", dry_run, read, "remains")


@import_group.command("examinations", short_help="Post-mortem examinations (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_examinations(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Post-mortem examinations from a CSV, one per row, in the layout of `homecoming export
    examinations`: id,remains_code,examined_on,prosector (required) and persons_present
    (JSON list), sex, age and stature (JSON {"minimum": .., "maximum": ..}), injuries (JSON),
    cause_of_death (JSON list of lines a-d), mechanism, manner, torture_signs, hands_bound,
    status, specimens_retained (JSON), notes. The remains must be stored."""
    from homecoming.formats.csv_import import read_examinations_csv
    from homecoming.storage import tables

    def read(session: Any) -> list[Any]:
        return read_examinations_csv(file, existing_ids=_keys(session, tables.examinations.c.id),
                                     remains_codes=_keys(session, tables.remains.c.code))
    _store(ctx, file, "examinations", dry_run, read, "examinations")


# Format importers owned elsewhere (GeneMapper, CODIS, Familias, GeoJSON) add their commands.
if importlib.util.find_spec("homecoming.cli.format_imports") is not None:
    _extra = importlib.import_module("homecoming.cli.format_imports")
    if hasattr(_extra, "register"):
        _extra.register(import_group)
