"""``homecoming export …``: records out of the database into lab and exchange formats.

* ``profiles FILE --format codis|genemapper|csv`` — DNA profiles (``--source`` remains/donor);
* ``missing-persons``, ``donors``, ``remains``, ``samples FILE`` — CSV, one row per record
  (the same file is a valid ``homecoming import csv-update`` input);
* ``geojson FILE`` — sites, graves and hazard areas as a GeoJSON FeatureCollection;
* ``familias CASE.json FILE.fam`` — a kinship case (or DVI dataset) as a Familias file.

Files are written whole or not at all (temporary file renamed into place).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from homecoming.errors import FormatError

__all__ = ["export_group"]

_OUT = click.Path(dir_okay=False, writable=True, path_type=Path)


def _open_database(ctx: click.Context) -> Any:
    from homecoming.cli.database import open_database

    db = open_database(ctx)
    db.require_current()
    return db


@click.group("export")
def export_group() -> None:
    """Export records to files (profiles to CODIS/GeneMapper/CSV, records to CSV, sites to
    GeoJSON, kinship cases to Familias)."""


@export_group.command("profiles", short_help="DNA profiles as CODIS CMF, GeneMapper or CSV.")
@click.argument("file", type=_OUT)
@click.option("--format", "fmt", type=click.Choice(["codis", "genemapper", "csv"]),
              default="csv", show_default=True, help="Output format.")
@click.option("--source", type=click.Choice(["remains", "donor"]),
              help="Only profiles of samples from remains (post-mortem) or from donors.")
@click.option("--source-lab", help="CODIS: the SOURCELAB element.")
@click.option("--category", help="CODIS: the SPECIMENCATEGORY of every specimen.")
@click.pass_context
def export_profiles(ctx: click.Context, file: Path, fmt: str, source: str | None,
                    source_lab: str | None, category: str | None) -> None:
    """DNA profiles by sample bar-code."""
    from homecoming.storage.repositories import ProfileRepository, profiles_for

    db = _open_database(ctx)
    with db.session() as session:
        records = ProfileRepository(session).list()
        if source is not None:
            wanted = {b for b, _ in profiles_for(session, source)}
            records = [r for r in records if r.sample_barcode in wanted]
    records.sort(key=lambda r: r.sample_barcode)
    if fmt == "csv":
        from homecoming.formats.csv_records import format_profiles_csv
        from homecoming.formats.registry import atomic_write_text

        atomic_write_text(file, format_profiles_csv(records))
    else:
        profiles = {r.sample_barcode: dict(r.genotypes) for r in records}
        if fmt == "codis":
            import datetime as dt

            from homecoming.formats.codis import write_cmf

            write_cmf(profiles, file, source_lab=source_lab, category=category,
                      submitted=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        else:
            from homecoming.formats.genemapper import write_genemapper

            write_genemapper(profiles, file)
    click.echo(f"Wrote {len(records)} profiles to {file} ({fmt}).")


def _records_command(kind: str) -> click.Command:
    name = kind.replace("_", "-")

    @click.command(name, help=f"{name.replace('-', ' ').capitalize()} as CSV, one row per "
                   "record (also a valid `import csv-update` file).",
                   short_help=f"{name.replace('-', ' ').capitalize()} as CSV.")
    @click.argument("file", type=_OUT)
    @click.pass_context
    def command(ctx: click.Context, file: Path) -> None:
        from homecoming.formats.csv_records import export_csv

        db = _open_database(ctx)
        with db.session() as session:
            n = export_csv(session, kind, file)
        click.echo(f"Wrote {n} {name.replace('-', ' ')} to {file}.")
    return command


for _kind in ("missing_persons", "donors", "remains", "samples", "examinations", "incidents"):
    export_group.add_command(_records_command(_kind))


@export_group.command("geojson", short_help="Sites, graves, hazard areas as GeoJSON.")
@click.argument("file", type=_OUT)
@click.option("--type", "types", multiple=True,
              type=click.Choice(["site", "grave", "hazard_area"]),
              help="Record types to export (repeatable; default all three).")
@click.pass_context
def export_geojson(ctx: click.Context, file: Path, types: tuple[str, ...]) -> None:
    """Sites, graves and hazard areas as a GeoJSON FeatureCollection (WGS 84)."""
    from homecoming.formats.geojson import RECORD_TYPES, export_records, write_geojson

    db = _open_database(ctx)
    with db.session() as session:
        records = export_records(session, types or tuple(RECORD_TYPES))
    write_geojson(records, file)
    click.echo(f"Wrote {len(records)} features to {file}.")


@export_group.command("familias", short_help="A kinship case or DVI dataset as a Familias "
                      ".fam file.")
@click.argument("case", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("file", type=_OUT)
def export_familias(case: Path, file: Path) -> None:
    """A kinship case (kinship-case@1) or DVI dataset (dvi-dataset@1) JSON file as a Familias
    .fam file. Mutation models: equal, proportional and stepwise can be written; onestep and
    custom matrices cannot."""
    from homecoming.formats.familias import (DVI_DATASET_FORMAT, KINSHIP_CASE_FORMAT,
                                             write_fam)

    try:
        data = json.loads(case.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON ({exc.msg}); expected a kinship-case@1 or "
                          "dvi-dataset@1 file", path=case, line=exc.lineno) from None
    kind = data.get("format") if isinstance(data, dict) else None
    if kind == KINSHIP_CASE_FORMAT:
        from homecoming.formats.kinship_case import load_kinship_case

        load_kinship_case(data)  # validate first
    elif kind == DVI_DATASET_FORMAT:
        from homecoming.formats.dvi_dataset import load_dvi_dataset

        load_dvi_dataset(data)
    else:
        raise FormatError(f"format {kind!r}; expected {KINSHIP_CASE_FORMAT!r} or "
                          f"{DVI_DATASET_FORMAT!r}", path=case, column="format", value=kind)
    write_fam(data, file)
    click.echo(f"Wrote {file} (Familias).")
