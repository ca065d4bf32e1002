"""``homecoming export …``: records out of the database into lab and exchange formats.

* ``profiles FILE --format codis|genemapper|csv`` — DNA profiles (``--source`` remains/donor);
* ``missing-persons``, ``donors``, ``remains``, ``samples FILE`` — CSV, one row per record
  (the same file is a valid ``homecoming import csv-update`` input);
* ``geojson FILE`` — sites, graves and hazard areas as a GeoJSON FeatureCollection;
* ``familias CASE.json FILE.fam`` — a kinship case (or DVI dataset) as a Familias file.

Files are written whole or not at all (temporary file renamed into place).
"""

from __future__ import annotations

from pathlib import Path

import click

from homecoming.cli.database import open_database

__all__ = ["export_group"]

_OUT = click.Path(dir_okay=False, writable=True, path_type=Path)
_AUDIENCE = click.option(
    "--audience", type=click.Choice(["identification", "court"]),
    help="Who the file is for: court (investigators, prosecutors) withholds donors who "
         "consented to identification only, their samples and profiles (default: court for "
         "an investigator account, else identification).")


def _withheld(stats: dict[str, int]) -> str:
    n = stats.get("withheld", 0)
    return f"; {n} withheld (consent)" if n else ""


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
@_AUDIENCE
@click.pass_context
def export_profiles(ctx: click.Context, file: Path, fmt: str, source: str | None,
                    source_lab: str | None, category: str | None,
                    audience: str | None) -> None:
    """DNA profiles by sample bar-code."""
    from homecoming.services.exports import export_profiles as export

    stats: dict[str, int] = {}
    n = export(open_database(ctx), file, fmt=fmt, source=source, source_lab=source_lab,
               category=category, audience=audience, stats=stats)
    click.echo(f"Wrote {n} profiles to {file} ({fmt}){_withheld(stats)}.")


def _records_command(kind: str) -> click.Command:
    name = kind.replace("_", "-")

    @click.command(name, help=f"{name.replace('-', ' ').capitalize()} as CSV, one row per "
                   "record (also a valid `import csv-update` file).",
                   short_help=f"{name.replace('-', ' ').capitalize()} as CSV.")
    @click.argument("file", type=_OUT)
    @_AUDIENCE
    @click.pass_context
    def command(ctx: click.Context, file: Path, audience: str | None) -> None:
        from homecoming.services.exports import export_records

        stats: dict[str, int] = {}
        n = export_records(open_database(ctx), kind, file, audience=audience, stats=stats)
        click.echo(f"Wrote {n} {name.replace('-', ' ')} to {file}{_withheld(stats)}.")
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
    from homecoming.services.exports import export_geojson as export

    n = export(open_database(ctx), file, types)
    click.echo(f"Wrote {n} features to {file}.")


@export_group.command("familias", short_help="A kinship case or DVI dataset as a Familias "
                      ".fam file.")
@click.argument("case", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("file", type=_OUT)
def export_familias(case: Path, file: Path) -> None:
    """A kinship case (kinship-case@1) or DVI dataset (dvi-dataset@1) JSON file as a Familias
    .fam file. Mutation models: equal, proportional and stepwise can be written; onestep and
    custom matrices cannot."""
    from homecoming.services.exports import export_familias as export

    export(case, file)
    click.echo(f"Wrote {file} (Familias).")


from homecoming.cli.lineage import register_exports  # noqa: E402

register_exports(export_group)
