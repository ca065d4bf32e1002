"""``homecoming frequencies list|show``: the shipped allele-frequency databases."""

from __future__ import annotations

import json

import click

from homecoming.genetics.frequencies import (
    DEFAULT_N,
    STRIDER_PSEUDO_ALLELES,
    attribution_notice,
    list_databases,
    load_database,
)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths).rstrip()]
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


@click.group("frequencies")
def frequencies_group() -> None:
    """Published allele-frequency databases shipped with Homecoming (see SOURCES.md)."""


@frequencies_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(as_json: bool) -> None:
    """Every shipped database: name, population, number of loci, N and source."""
    infos = list_databases()
    if as_json:
        click.echo(json.dumps([{
            "name": i.name, "population": i.population, "region": i.region, "loci": i.n_loci,
            "n_individuals": i.n_individuals, "source": i.source, "reference": i.reference,
            "licence": i.licence} for i in infos], indent=2))
        return
    rows = [[i.name, i.population, str(i.n_loci),
             str(i.n_individuals) if i.n_individuals is not None else "unknown", i.source]
            for i in infos]
    click.echo(_table(rows, ["name", "population", "loci", "N", "source"]))
    click.echo(f"\n{len(infos)} databases. N = most individuals typed at any locus. "
               "`homecoming frequencies show NAME` for the tables and attribution.")


@frequencies_group.command("show")
@click.argument("name")
@click.option("--locus", "loci", multiple=True, metavar="LOCUS",
              help="Show only this locus (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def show_command(name: str, loci: tuple[str, ...], as_json: bool) -> None:
    """One database as published: attribution, hash, N per locus and the frequencies."""
    db = load_database(name)
    wanted = [db.locus_name(x) for x in loci] if loci else list(db.loci)
    if as_json:
        click.echo(json.dumps({
            "name": db.name, "population": db.population, "source": db.source,
            "reference": db.reference, "licence": db.licence, "sha256": db.sha256,
            "notice": attribution_notice(db.licence),
            "loci": {
                locus: {"n_alleles_typed": db.n_alleles_typed(locus),
                        "frequency_sum": sum(db.frequencies(locus).values()),
                        "rare_allele_frequency": db.rare_allele_frequency(locus),
                        "pseudo_alleles": db.pseudo_alleles(locus),
                        "frequencies": db.frequencies(locus)}
                for locus in wanted}}, indent=2))
        return
    click.echo(f"{db.name}: {db.population}")
    click.echo(f"source:    {db.source}")
    ref = db.reference
    click.echo(f"reference: {'doi:' + ref if ref.startswith('10.') else ref}")
    click.echo(f"licence:   {db.licence}")
    click.echo(f"sha256:    {db.sha256}")
    notice = attribution_notice(db.licence)
    if notice:
        click.echo(f"notice:    {notice}")
    click.echo(f"loci:      {len(db.loci)}")
    for locus in wanted:
        freqs = db.frequencies(locus)
        n2 = db.n_alleles_typed(locus)
        n_text = f"N = {n2 / 2:g}" if n2 else f"N unknown (rare-allele policy uses N = {DEFAULT_N})"
        click.echo(f"\n{locus}  ({len(freqs)} alleles, {n_text}, sum {sum(freqs.values()):.9g}, "
                   f"rare-allele frequency {db.rare_allele_frequency(locus):.6g})")
        pseudo = db.pseudo_alleles(locus)
        rows = []
        for allele, f in freqs.items():
            note = (f"STRidER pseudo-allele ({STRIDER_PSEUDO_ALLELES[allele]}); dropped in markers"
                    if allele in pseudo else "")
            rows.append([allele, f"{f:.6f}", note])
        click.echo(_table(rows, ["allele", "frequency", ""]))
