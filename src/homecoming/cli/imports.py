"""``homecoming import …``: validated imports of CSV files into the database.

Every subcommand reads and checks the whole file first (``homecoming.formats.csv_import``) and
stores it in one transaction: a bad cell stops the import with one line naming the file, line,
column, the bad value and what was expected, and nothing from that file is written. The
layouts are documented in docs/howto/import-csv.md.

The use cases live in :mod:`homecoming.services.imports`; the lab and exchange formats
(GeneMapper, CODIS, Familias, GeoJSON, csv-update) are in ``homecoming.cli.format_imports``.
"""

from __future__ import annotations

from pathlib import Path

import click

from homecoming.cli.database import open_database
from homecoming.cli.format_imports import register
from homecoming.cli.incremental import IDENTIFY_OPTION

__all__ = ["import_group"]

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _store(ctx: click.Context, kind: str, path: Path, dry_run: bool,
           frequencies: str | None = None, identify: bool = False) -> None:
    """Validate ``path`` and store its records (services.imports.import_csv); print one line
    (``identify``: then identify the stored profiles incrementally, cli.incremental)."""
    from homecoming.services.imports import import_csv

    run = None
    if identify:
        from homecoming.cli.incremental import import_with_identify

        if dry_run:
            raise click.BadParameter("a dry run writes nothing, so there is nothing to "
                                     "identify; expected --identify without --dry-run",
                                     param_hint="--identify")
        result, run = import_with_identify(ctx, lambda db: import_csv(
            db, kind, path, frequencies=frequencies))
    else:
        result = import_csv(open_database(ctx), kind, path, frequencies=frequencies,
                            dry_run=dry_run)
    if dry_run:
        click.echo(f"{path}: {result.count} {result.noun} are valid (dry run: nothing written).")
    else:
        click.echo(f"Imported {result.count} {result.noun} from {path} into {result.database}.")
    if identify:
        from homecoming.cli.incremental import echo_import_identify

        echo_import_identify(run)


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
@IDENTIFY_OPTION
@click.pass_context
def import_profiles(ctx: click.Context, file: Path, database: str | None, dry_run: bool,
                    identify: bool = False) -> None:
    """DNA profiles from a long-format CSV: barcode,locus,allele1,allele2[,kit,laboratory,
    quality,typed_on] (one row per sample and locus).

    Each bar-code must be a stored sample without a profile; loci must be in the shipped
    frequency tables; alleles are repeat numbers such as 15 or 9.3.
    """
    _store(ctx, "profiles", file, dry_run, database, identify=identify)


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
    _store(ctx, "staff-profiles", file, dry_run, database)


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
    _store(ctx, "missing-persons", file, dry_run)


@import_group.command("donors", short_help="Reference donors of stored missing persons (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_donors(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Reference donors (relatives of missing persons) from a CSV, one per row:
    id,missing_person_id,full_name,relationship (required) and sex, birth_date, family_id,
    pedigree_id, pedigree_father, pedigree_mother, consent, consent_on, sharing_level,
    contact, collection_place, notes (optional). The missing person must be stored."""
    _store(ctx, "donors", file, dry_run)


@import_group.command("samples", short_help="Samples from remains or donors (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_samples(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Samples from a CSV, one per row: barcode,source,element,collected_on (required) and
    remains_code or donor_id, laboratory, ordered_by, result_status, notes (optional)."""
    _store(ctx, "samples", file, dry_run)


@import_group.command("incidents", short_help="Incidents (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_incidents(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Incidents (events of violence) from a CSV, one per row, in the layout of `homecoming
    export incidents`: id,occurred_on,place (required) and occurred_until, location (GeoJSON
    geometry as JSON), weapon_class, description, source (optional)."""
    _store(ctx, "incidents", file, dry_run)


@import_group.command("remains", short_help="Remains (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_remains(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Remains from a CSV, one per row, in the layout of `homecoming export remains`: code
    (required) and kind, grave_id, incident_id, recovered_on, position, location (JSON),
    depth_m, condition, effects (JSON list), status, storage_location, notes (optional).
    The grave (import it with `homecoming import geojson`) and the incident must be stored."""
    _store(ctx, "remains", file, dry_run)


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
    _store(ctx, "examinations", file, dry_run)


@import_group.command("exhumations", short_help="Exhumations of stored graves (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_exhumations(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Exhumations from a CSV, one per row: id,grave_id,started_on (required) and ended_on,
    method (manual, mechanical, mixed), family_consultation, notes, team and
    supervising_authorities (JSON lists of {"name", "role", "organisation"}). The grave must
    be stored."""
    _store(ctx, "exhumations", file, dry_run)


@import_group.command("custody-events", short_help="Chain-of-custody transfers (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_custody_events(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Chain-of-custody transfers from a CSV, one per row: id,item_kind (sample, remains,
    effect, digital),item_id,from_party,to_party,occurred_at (ISO date-time),reason
    (required) and location, sha256 (required for digital items). A sample or remains must
    be stored. `homecoming custody show ITEM` shows the timeline and its breaks."""
    _store(ctx, "custody-events", file, dry_run)


@import_group.command("hazard-clearance", short_help="Clearance of stored hazard areas (CSV, one per row).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_hazard_clearance(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Mark stored hazard areas (mines, UXO) cleared, from a CSV, one per row:
    id,cleared_on,cleared_by (required) and notes (added to the area's notes). An area
    already cleared, or a date before its survey, is refused."""
    _store(ctx, "hazard-clearance", file, dry_run)


register(import_group)

from homecoming.cli.lineage import register_imports  # noqa: E402

register_imports(import_group)
