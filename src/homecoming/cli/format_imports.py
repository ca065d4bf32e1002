"""Lab and exchange formats under ``homecoming import``: genemapper, codis, familias, geojson,
csv-update.

Each command reads and checks the whole file first (``homecoming.formats``); a structural
fault stops with one line naming the file, the line and what was expected, and nothing is
written. Fixes applied and warnings are printed (``--report-json`` prints the import report
as JSON instead). Database writes happen in one transaction.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

__all__ = ["register"]

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_DRY_RUN = click.option("--dry-run", is_flag=True, help="Only validate (and show); write nothing.")
_REPORT = click.option("--report-json", is_flag=True,
                       help="Print the import report as JSON instead of text.")


def _open_database(ctx: click.Context) -> Any:
    from homecoming.cli.database import open_database

    db = open_database(ctx)
    db.require_current()
    return db


def _show_report(report: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
        return
    for line in report.lines():
        if not line.startswith("note:"):
            click.echo(line, err=True)
    click.echo(report.summary())


def _profile_command(name: str, help_text: str, reader: str, short: str) -> click.Command:
    @click.command(name, help=help_text, short_help=short)
    @click.argument("file", type=_FILE)
    @click.option("--kit", help="Typing kit recorded with each profile.")
    @click.option("--laboratory", help="Laboratory recorded with each profile.")
    @click.option("--loci", help="Comma-separated loci of the kit; loci without a row or an "
                  "allele are reported as missing.")
    @click.option("--replace", is_flag=True, help="Overwrite profiles that already exist.")
    @click.option("--include-mixtures", is_flag=True,
                  help="Also import samples with more than two alleles at a locus (those loci "
                       "are left out).")
    @_DRY_RUN
    @_REPORT
    @click.pass_context
    def command(ctx: click.Context, file: Path, kit: str | None, laboratory: str | None,
                loci: str | None, replace: bool, include_mixtures: bool, dry_run: bool,
                report_json: bool) -> None:
        import importlib

        from homecoming.formats.genemapper import flag_missing_loci, import_profiles

        module, func = reader.split(":")
        table = getattr(importlib.import_module(module), func)(file)
        if loci:
            from homecoming.formats.csv_import import SEX_MARKERS, known_loci
            from homecoming.genetics.frequencies import canonical_locus

            names = [x.strip() for x in loci.split(",") if x.strip()]
            known = set(known_loci()) | {canonical_locus(x) for x in SEX_MARKERS}
            unknown = [x for x in names if canonical_locus(x) not in known]
            if unknown:
                raise click.BadParameter(
                    f"{unknown[0]!r} is not a known STR locus; expected comma-separated loci "
                    "of the shipped frequency tables (e.g. D3S1358,vWA,FGA)",
                    param_hint="--loci")
            flag_missing_loci(table, names)
        db = _open_database(ctx)
        with db.session() as session:
            report = import_profiles(session, table, kit=kit, laboratory=laboratory,
                                     replace=replace, include_mixtures=include_mixtures,
                                     dry_run=dry_run)
        _show_report(report, report_json)
        if dry_run:
            click.echo("Dry run: nothing written.")
    return command


genemapper_command = _profile_command(
    "genemapper",
    "DNA profiles from a GeneMapper ID/ID-X allele table (tab-separated: Sample Name, Marker, "
    "Allele 1, Allele 2 ...), stored on the samples with those bar-codes. Samples with more "
    "than two alleles at a locus (mixture/contamination) are flagged and not imported; "
    "off-ladder (OL) alleles and missing loci are flagged.",
    "homecoming.formats.genemapper:read_genemapper",
    "DNA profiles from a GeneMapper ID/ID-X allele table (by sample bar-code).")

codis_command = _profile_command(
    "codis",
    "DNA profiles from a CODIS CMF 3.2 XML file (SPECIMEN / LOCUS / ALLELE), stored on the "
    "samples whose bar-code is the SPECIMENID.",
    "homecoming.formats.codis:read_cmf",
    "DNA profiles from a CODIS CMF 3.2 XML file (by SPECIMENID).")


@click.command("familias", short_help="Check and convert a Familias .fam file (to JSON).")
@click.argument("file", type=_FILE)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the converted case as JSON (kinship-case@1, or dvi-dataset@1 for a "
                   "DVI file).")
@click.option("--as", "as_kind", type=click.Choice(["auto", "kinship", "dvi"]), default="auto",
              show_default=True, help="What to convert to.")
@click.option("--frequencies", "frequencies_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the file's frequency database as locus,allele,frequency CSV.")
@click.option("--undecided-sex", type=click.Choice(["unknown", "auto", "female", "male"]),
              default="unknown", show_default=True,
              help="DVI: sex of a missing person the file leaves open ('Missing person' with no "
                   "co-parent): unknown = pairs with victims of either sex; auto = the more "
                   "common sex among the victims; pedFamilias/dvir assume female.")
@_REPORT
def familias_command(file: Path, output: Path | None, as_kind: str,
                     frequencies_out: Path | None, undecided_sex: str, report_json: bool) -> None:
    """Check a Familias .fam file and convert it: pedigrees to a kinship case, the [DVI]
    section to a DVI dataset. Every structural fault names the line; fixes (e.g. an added
    parent) are listed. Nothing is stored in the database."""
    from homecoming.formats.familias import read_fam
    from homecoming.formats.registry import atomic_write_text

    fam = read_fam(file)
    kind = as_kind if as_kind != "auto" else ("dvi" if fam.is_dvi else "kinship")
    database_only = (not fam.is_dvi and not fam.persons and not fam.known_extra_females
                     and not fam.known_extra_males)
    if database_only and as_kind == "auto":
        kind = "database"
        if output is not None:
            from homecoming.errors import InputError

            raise InputError(f"{file} holds only a frequency database (no persons, no [DVI] "
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
    texts = {}
    if output is not None:
        texts[output] = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if frequencies_out is not None:
        from homecoming.formats.frequency_tables import FrequencyTable, format_frequency_csv

        table = FrequencyTable({loc.name: list(zip(loc.alleles, loc.frequencies))
                                for loc in fam.loci})
        texts[frequencies_out] = format_frequency_csv(table)
    for path, text in texts.items():
        atomic_write_text(path, text)
    _show_report(fam.report, report_json)
    if not report_json:
        what = {"dvi": "DVI dataset", "kinship": "kinship case",
                "database": "frequency database"}[kind]
        click.echo(f"{file}: valid {what}" + (f", written to {output}" if output else "") + ".")


@click.command("geojson", short_help="Sites, graves, hazard areas from GeoJSON.")
@click.argument("file", type=_FILE)
@click.option("--kind", type=click.Choice(["site", "grave", "hazard_area"]),
              help="Record type of features without a 'record_type' property.")
@click.option("--replace", is_flag=True, help="Update records that already exist.")
@_DRY_RUN
@_REPORT
@click.pass_context
def geojson_command(ctx: click.Context, file: Path, kind: str | None, replace: bool,
                    dry_run: bool, report_json: bool) -> None:
    """Sites, graves and hazard areas from a GeoJSON FeatureCollection (properties carry the
    record fields and 'record_type'; coordinates WGS 84 longitude, latitude)."""
    from homecoming.formats.geojson import import_records, read_geojson

    imported = read_geojson(file, kind=kind)
    db = _open_database(ctx)
    with db.session() as session:
        report = import_records(session, imported, replace=replace, dry_run=dry_run)
    _show_report(report, report_json)
    if dry_run:
        click.echo("Dry run: nothing written.")


@click.command("csv-update", short_help="Update stored records from a CSV keyed by id "
               "(--dry-run shows the diff).")
@click.argument("record_type", type=click.Choice(["missing-persons", "donors", "remains",
                                                  "samples", "examinations", "incidents"]))
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@click.pass_context
def csv_update_command(ctx: click.Context, record_type: str, file: Path, dry_run: bool,
                       as_json: bool) -> None:
    """Update stored records from a CSV keyed by id (first column: id / code / barcode; other
    columns: fields to change). An empty cell leaves a field unchanged, NULL clears it. The
    whole file is checked first; --dry-run shows the diff and writes nothing."""
    from homecoming.formats.csv_records import update_from_csv

    kind = record_type.replace("-", "_")
    db = _open_database(ctx)
    with db.session() as session:
        plan = update_from_csv(session, kind, file, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps({**plan.to_dict(), "dry_run": dry_run}, indent=1,
                              ensure_ascii=False, default=str))
        return
    for line in plan.diff_lines():
        click.echo(line)
    n = len(plan.keys)
    verb = "would change" if dry_run else "changed"
    click.echo(f"{file}: {verb} {len(plan.changes)} fields in {n} {record_type}"
               f"{' (dry run: nothing written)' if dry_run else ''}; "
               f"{len(plan.unchanged)} rows without changes.")


def register(import_group: click.Group) -> None:
    """Add the format importers to ``homecoming import``."""
    for command in (genemapper_command, codis_command, familias_command, geojson_command,
                    csv_update_command):
        import_group.add_command(command)
