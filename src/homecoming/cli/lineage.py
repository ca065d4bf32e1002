"""``homecoming import ystr|mtdna FILE.csv`` and ``homecoming export ystr|mtdna FILE.csv``:
lineage-marker haplotypes (Y-STR, mitochondrial DNA) in and out of the database.

The layouts are documented in docs/reference/lineage-csv.md; the use cases live in
:mod:`homecoming.services.lineage`.
"""

from __future__ import annotations

from pathlib import Path

import click

from homecoming.cli.database import open_database

__all__ = ["register_imports", "register_exports", "import_ystr", "import_mtdna",
           "export_ystr", "export_mtdna"]

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUT = click.Path(dir_okay=False, writable=True, path_type=Path)
_DRY_RUN = click.option("--dry-run", is_flag=True, help="Only validate the file; write nothing.")


def _store(ctx: click.Context, kind: str, path: Path, dry_run: bool) -> None:
    from homecoming.services.lineage import import_lineage

    result = import_lineage(open_database(ctx), kind, path, dry_run=dry_run)
    if dry_run:
        click.echo(f"{path}: {result.count} {result.noun} are valid (dry run: nothing written).")
    else:
        click.echo(f"Imported {result.count} {result.noun} from {path} into {result.database}.")


@click.command("ystr", short_help="Y-STR haplotypes (long-format CSV: barcode,locus,alleles).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_ystr(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Y-STR haplotypes from a long-format CSV: barcode,locus,alleles[,kit,laboratory,
    typed_on], one row per sample and locus.

    Loci are Y-STR names (DYS19, DYS389II, YGATAH4, ...); alleles are repeat numbers such as
    14 or 13.2; a multi-copy locus holds its copies in one cell (DYS385: 11-14) or one row
    per copy (DYS385a, DYS385b). Each bar-code must be a stored sample without a Y-STR
    haplotype.
    """
    _store(ctx, "ystr", file, dry_run)


@click.command("mtdna", short_help="mtDNA haplotypes (CSV: barcode,variants[,range]).")
@click.argument("file", type=_FILE)
@_DRY_RUN
@click.pass_context
def import_mtdna(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Mitochondrial DNA haplotypes from a CSV, one row per sample: barcode,variants[,range,
    laboratory,typed_on].

    variants: the differences to the rCRS separated by spaces (16519C 263G 315.1C 249d
    16093Y; empty = the rCRS); range: the typed rCRS ranges (default 16024-16569 1-576).
    Each bar-code must be a stored sample without an mtDNA haplotype.
    """
    _store(ctx, "mtdna", file, dry_run)


def _export(ctx: click.Context, kind: str, path: Path) -> None:
    from homecoming.services.lineage import LINEAGE_KINDS, export_lineage

    n = export_lineage(open_database(ctx), kind, path)
    click.echo(f"Wrote {n} {LINEAGE_KINDS[kind][0]} to {path} (csv).")


@click.command("ystr", short_help="Y-STR haplotypes as CSV (the layout import ystr reads).")
@click.argument("file", type=_OUT)
@click.pass_context
def export_ystr(ctx: click.Context, file: Path) -> None:
    """Y-STR haplotypes by sample bar-code: barcode,locus,alleles,kit,laboratory,typed_on."""
    _export(ctx, "ystr", file)


@click.command("mtdna", short_help="mtDNA haplotypes as CSV (the layout import mtdna reads).")
@click.argument("file", type=_OUT)
@click.pass_context
def export_mtdna(ctx: click.Context, file: Path) -> None:
    """mtDNA haplotypes by sample bar-code: barcode,variants,range,laboratory,typed_on."""
    _export(ctx, "mtdna", file)


def register_imports(group: click.Group) -> None:
    """Add ``ystr`` and ``mtdna`` to ``homecoming import``."""
    group.add_command(import_ystr)
    group.add_command(import_mtdna)


def register_exports(group: click.Group) -> None:
    """Add ``ystr`` and ``mtdna`` to ``homecoming export``."""
    group.add_command(export_ystr)
    group.add_command(export_mtdna)
