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

from homecoming.cli.database import open_database
from homecoming.cli.incremental import IDENTIFY_OPTION

__all__ = ["register"]

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_DRY_RUN = click.option("--dry-run", is_flag=True, help="Only validate (and show); write nothing.")
_REPORT = click.option("--report-json", is_flag=True,
                       help="Print the import report as JSON instead of text.")


def _show_report(report: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
        return
    for line in report.lines():
        if not line.startswith("note:"):
            click.echo(line, err=True)
    click.echo(report.summary())


def _profile_command(name: str, help_text: str, fmt: str, short: str) -> click.Command:
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
    @IDENTIFY_OPTION
    @click.pass_context
    def command(ctx: click.Context, file: Path, kit: str | None, laboratory: str | None,
                loci: str | None, replace: bool, include_mixtures: bool, dry_run: bool,
                report_json: bool, identify: bool = False) -> None:
        from homecoming.services.imports import import_lab_profiles, unknown_loci

        names = [x.strip() for x in loci.split(",") if x.strip()] if loci else None
        if names:
            unknown = unknown_loci(names)
            if unknown:
                raise click.BadParameter(
                    f"{unknown[0]!r} is not a known STR locus; expected comma-separated loci "
                    "of the shipped frequency tables (e.g. D3S1358,vWA,FGA)",
                    param_hint="--loci")
        if identify and (dry_run or replace or report_json):
            raise click.BadParameter(
                "a dry run writes nothing, so there is nothing to identify; expected no "
                "--dry-run" if dry_run else
                "a replaced profile changes what the last identification used; expected no "
                "--replace (then `homecoming identify` for the whole case)" if replace else
                "it prints text; expected no --report-json (`homecoming identify --only-new "
                "BARCODE --json` prints the identification as JSON)", param_hint="--identify")
        run = None

        def run_import(db: Any) -> Any:
            return import_lab_profiles(db, file, fmt=fmt, kit=kit, laboratory=laboratory,
                                       loci=names, replace=replace,
                                       include_mixtures=include_mixtures, dry_run=dry_run)
        if identify:
            from homecoming.cli.incremental import import_with_identify

            report, run = import_with_identify(ctx, run_import, quiet=report_json)
        else:
            report = run_import(open_database(ctx))
        _show_report(report, report_json)
        if dry_run:
            click.echo("Dry run: nothing written.")
        if identify:
            from homecoming.cli.incremental import echo_import_identify

            echo_import_identify(run)
    return command


genemapper_command = _profile_command(
    "genemapper",
    "DNA profiles from a GeneMapper ID/ID-X allele table (tab-separated: Sample Name, Marker, "
    "Allele 1, Allele 2 ...), stored on the samples with those bar-codes. Samples with more "
    "than two alleles at a locus (mixture/contamination) are flagged and not imported; "
    "off-ladder (OL) alleles and missing loci are flagged.",
    "genemapper",
    "DNA profiles from a GeneMapper ID/ID-X allele table (by sample bar-code).")

codis_command = _profile_command(
    "codis",
    "DNA profiles from a CODIS CMF 3.2 XML file (SPECIMEN / LOCUS / ALLELE), stored on the "
    "samples whose bar-code is the SPECIMENID.",
    "codis",
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
    from homecoming.services.imports import convert_familias

    done = convert_familias(file, output=output, as_kind=as_kind,
                            frequencies_out=frequencies_out, undecided_sex=undecided_sex)
    _show_report(done.report, report_json)
    if not report_json:
        click.echo(f"{file}: valid {done.what}" + (f", written to {output}" if output else "")
                   + ".")
        if frequencies_out is not None:
            click.echo(f"Wrote the frequency database to {frequencies_out} "
                       "(locus,allele,frequency CSV).")


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
    from homecoming.services.imports import import_geojson

    report = import_geojson(open_database(ctx), file, kind=kind, replace=replace,
                            dry_run=dry_run)
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
    from homecoming.services.imports import update_records

    plan = update_records(open_database(ctx), record_type, file, dry_run=dry_run)
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
