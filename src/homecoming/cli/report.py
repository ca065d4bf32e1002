"""``homecoming report identification ID -o FILE.pdf|FILE.html [--family]`` and
``homecoming report death-registration -o FILE.csv``."""

from __future__ import annotations

from pathlib import Path

import click

from homecoming.cli.database import open_database
from homecoming.errors import InputError


@click.group("report")
def report_group() -> None:
    """Reports: the identification report (PDF or HTML), the death-registration export."""


@report_group.command("identification")
@click.argument("ident_id", metavar="ID")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.pdf or FILE.html.")
@click.option("--family", is_flag=True,
              help="The version for the family: no genotypes, no technical tables.")
@click.option("--no-ancestry", is_flag=True,
              help="Leave out the LR by frequency database (its range over the shipped "
                   "population databases and the conservative value; computing it reads "
                   "the stored case, about a second on the demo).")
@click.pass_context
def identification_command(ctx: click.Context, ident_id: str, output: Path,
                           family: bool, no_ancestry: bool) -> None:
    """Write the identification report of ID (technical, or --family).

    The report says whether the conclusion holds whichever population's allele frequencies
    are used: the LR recomputed with several shipped frequency databases, its range and
    the conservative value (`homecoming identifications show ID --ancestry`)."""
    from homecoming.services.identifications import identification_report_data

    suffix = output.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise InputError(f"{output}: unknown report format {suffix or '(none)'!r}; expected "
                         "a file name ending .pdf or .html", field="--output", value=str(output))
    data = identification_report_data(open_database(ctx), ident_id, family=family,
                                      ancestry=not no_ancestry)
    from homecoming.reports.identification import render_html, render_pdf

    if suffix == ".pdf":
        render_pdf(data, output)
    else:
        render_html(data, output)
    click.echo(f"Wrote the {'family ' if family else ''}identification report of {ident_id} "
               f"to {output}.")


@report_group.command("death-registration")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV file for the civil registry.")
@click.pass_context
def death_registration_command(ctx: click.Context, output: Path) -> None:
    """Export confirmed identifications for death registration (CSV: person, date and place
    of finding, cause of death class, identification reference)."""
    from homecoming.formats.registry import atomic_write_text
    from homecoming.services.release import death_registration_csv

    with open_database(ctx).session() as session:
        text, n = death_registration_csv(session, destination=str(output))
    atomic_write_text(output, text)
    click.echo(f"Wrote {n} confirmed identification(s) to {output}.")
