"""``homecoming screen``: blind search of every PM profile against every reference profile.

By default it reads the profiles from the casework database (post-mortem: samples from
remains; references: samples from donors), screens them for the chosen relationships with the
pairwise models, and stores the candidates with their provenance in the database (replacing
earlier candidates of the same relationships, in one transaction). ``--dataset FILE`` screens
a dvi-dataset@1 file instead (victims against the typed family members) and leaves the
database alone. ``--output FILE`` also writes the candidates to a ``.json`` or ``.csv`` file.
``--elimination`` runs the contamination check instead: every PM profile against the staff
(elimination) profiles, flags printed and stored (replacing earlier flags).

Runs in this process by default; ``--workers N`` runs the blocks on a local Dask cluster of
N worker processes and ``--scheduler tcp://host:8786`` on a running Dask cluster. The work is
done by :mod:`homecoming.services.screening`.
"""

from __future__ import annotations

import math
import sys

import click

from homecoming.cli.database import open_database
from homecoming.identification.screening import (
    DEFAULT_MIN_COMMON,
    DEFAULT_MIN_LOG10_LR,
    RELATIONSHIPS,
)
from homecoming.services.screening import (
    CANDIDATES_FORMAT,
    DEFAULT_FREQUENCIES,
)
from homecoming.services.screening import (
    markers_from_frequencies as _markers_from_frequencies,
)

__all__ = ["screen_command", "DEFAULT_FREQUENCIES", "CANDIDATES_FORMAT",
           "_markers_from_frequencies"]

#: rows printed of a long list unless --all
SHOWN = 50


class _Bar:
    """tqdm progress (on stderr) over all relationships together."""

    def __init__(self, quiet: bool) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=0, unit="pair", unit_scale=True, disable=quiet,
                        file=sys.stderr, desc="screening", dynamic_ncols=True)

    def __call__(self, done: int, total: int) -> None:
        if self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def _more(n: int, show_all: bool) -> None:
    if n > SHOWN and not show_all:
        click.echo(f"  ... showing the first {SHOWN} of {n}; {n - SHOWN} more (--all prints "
                   "every one, --output FILE writes them)")


def _elimination(ctx: click.Context, frequency_name: str | None, no_store: bool,
                 output: str | None, show_all: bool, *, min_lr: float | None = None,
                 min_compared: int | None = None, max_mismatches: int | None = None) -> None:
    """``--elimination``: PM profiles against the staff (elimination) profiles."""
    from homecoming.services.screening import eliminate, write_elimination

    result = eliminate(open_database(ctx), frequencies=frequency_name, min_lr=min_lr,
                       min_compared=min_compared, max_mismatches=max_mismatches,
                       store=not no_store)
    records = result.records
    click.echo(f"Elimination check: {result.n_pm} post-mortem x {result.n_staff} staff profiles "
               f"on {result.n_markers} loci: {len(records)} possible contamination flag(s) on "
               f"{result.flagged_pm} PM profile(s) (at least {result.min_compared} loci "
               f"compared, at most {result.max_mismatches} mismatches, inclusion log10 LR >= "
               f"{result.min_log10_lr:g}).")
    for r in records if show_all else records[:SHOWN]:
        lr = "   n/a" if r["log10_lr"] is None else f"{r['log10_lr']:8.3f}"
        click.echo(f"  {r['pm']:<16} staff {r['staff']:<16} log10 LR {lr}  loci "
                   f"{r['compared_loci']}")
    _more(len(records), show_all)
    if output is not None:
        write_elimination(output, result)
        click.echo(f"Flags written to {output}.")
    if result.stored is not None:
        click.echo(f"{result.stored} elimination flag(s) stored in the database (earlier flags "
                   "replaced).")


@click.command("screen")
@click.option("--relationship", "relationships", multiple=True,
              type=click.Choice(RELATIONSHIPS),
              help="Relationship to screen for (repeat for several; default: all four).")
@click.option("--min-lr", type=float, default=None, metavar="LR",
              help="Keep pairs with LR >= this (default: "
                   + ", ".join(f"{r} 1e{v:g}" for r, v in DEFAULT_MIN_LOG10_LR.items())
                   + "; with --elimination: the inclusion LR, default 1e6).")
@click.option("--min-common", type=int, default=DEFAULT_MIN_COMMON, show_default=True,
              help="Keep pairs typed at this many loci in common, at least (with "
                   "--elimination: loci compared, default 6).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on a Dask cluster at this scheduler address (tcp://host:8786).")
@click.option("--workers", type=int, default=None, metavar="N",
              help="Run on a local Dask cluster of N worker processes (default: this process).")
@click.option("--frequencies", "frequency_name", default=None, metavar="NAME",
              help=f"Allele-frequency database (default: {DEFAULT_FREQUENCIES}; with --dataset, "
                   "the dataset's own markers).")
@click.option("--theta", type=float, default=0.0, show_default=True,
              help="Balding-Nichols theta.")
@click.option("--dataset", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Screen a dvi-dataset JSON file instead of the database (nothing is stored).")
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="Also write the candidates to FILE (.csv, else JSON).")
@click.option("--no-store", is_flag=True, help="Do not store candidates in the database.")
@click.option("--follow-up", "follow", is_flag=True,
              help="With --dataset: exact pedigree LRs (kinship engine) for every (victim, "
                   "family) pair among the candidates.")
@click.option("--pm-pm", "pm_pm", is_flag=True,
              help="Also match PM profiles with each other (direct match, LR >= 1e6): samples "
                   "of one person, e.g. body parts in different graves; prints the groups.")
@click.option("--elimination", is_flag=True,
              help="Contamination check instead of the kinship screening: flag PM profiles "
                   "included in a staff (elimination) profile (homecoming import "
                   "staff-profiles); prints and stores the flags.")
@click.option("--max-mismatches", type=click.IntRange(min=0), default=None,
              help="With --elimination: loci where the PM profile may fail to be included in "
                   "the staff profile (default 0; drop-out in degraded samples may need 1).")
@click.option("--all", "show_all", is_flag=True,
              help=f"Print every candidate / follow-up pair / flag, not only the first {SHOWN}.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def screen_command(ctx: click.Context, relationships: tuple[str, ...], min_lr: float | None,
                   min_common: int, scheduler: str | None, workers: int | None,
                   frequency_name: str | None, theta: float, dataset: str | None,
                   output: str | None, no_store: bool, follow: bool, pm_pm: bool,
                   elimination: bool, max_mismatches: int | None, show_all: bool,
                   quiet: bool) -> None:
    """Blind screening: every PM profile against every reference profile.

    Direct match, parent-child, full-sibling and half-sibling likelihood ratios (with
    mutation) for all pairs, in bounded memory; pairs above the thresholds are kept as
    candidates for an exact pedigree analysis, with provenance.
    """
    if elimination:
        if dataset is not None or follow or pm_pm:
            raise click.BadParameter("is a separate check on the database; it cannot be "
                                     "combined with --dataset, --follow-up or --pm-pm",
                                     param_hint="--elimination")
        if min_lr is not None and not (min_lr > 0 and math.isfinite(min_lr)):
            raise click.BadParameter(f"{min_lr!r}; expected a positive LR such as 1000000",
                                     param_hint="--min-lr")
        if relationships:
            raise click.BadParameter("does not apply to --elimination (an inclusion check)",
                                     param_hint="--relationship")
        given = ctx.get_parameter_source("min_common") is not click.core.ParameterSource.DEFAULT
        _elimination(ctx, frequency_name, no_store, output, show_all, min_lr=min_lr,
                     min_compared=min_common if given else None,
                     max_mismatches=max_mismatches)
        return
    if max_mismatches is not None:
        raise click.BadParameter("applies to --elimination only", param_hint="--max-mismatches")
    rels = list(dict.fromkeys(relationships)) or list(RELATIONSHIPS)
    if min_lr is not None and not (min_lr > 0 and math.isfinite(min_lr)):
        raise click.BadParameter(f"{min_lr!r}; expected a positive LR such as 10000",
                                 param_hint="--min-lr")
    if follow and dataset is None:
        raise click.BadParameter("needs --dataset (the families' pedigrees)",
                                 param_hint="--follow-up")
    if workers is not None and workers < 1:
        raise click.BadParameter(f"{workers}; expected at least 1", param_hint="--workers")
    from homecoming.services.screening import screen, write_candidates

    if scheduler is not None:   # a malformed address is refused before anything is read
        from homecoming.distributed.screening import check_scheduler_address

        check_scheduler_address(scheduler)
    db = None if dataset is not None else open_database(ctx)
    bar = _Bar(quiet)
    try:
        result = screen(db, dataset=dataset,
                        relationships=rels, min_lr=min_lr, min_common=min_common,
                        frequencies=frequency_name, theta=theta, store=not no_store,
                        follow_up=follow, pm_pm=pm_pm, workers=workers, scheduler=scheduler,
                        progress=bar)
    finally:
        bar.close()
    cands = result.candidates
    click.echo(f"Screened {result.n_pm} post-mortem x {result.n_ref} reference profiles on "
               f"{result.n_markers} loci ({result.pair_tests:,} pair tests) in "
               f"{result.seconds:.1f} s: {len(cands)} candidates ("
               + ", ".join(f"{r} {n}" for r, n in result.counts.items()) + ").")
    for item in result.left_out:
        click.echo(f"Warning: profile {item['record']} left out: {item['reason']}")
    if result.follow_up is not None:
        rows = result.follow_up
        click.echo(f"Exact follow-up: {len(rows)} (victim, missing person) pairs.")
        for r in rows if show_all else rows[:SHOWN]:
            lr = "-inf" if r["log10_lr"] is None else f"{r['log10_lr']:8.3f}"
            click.echo(f"  {r['pm']:<16} {r['family']}/{r['missing']:<20} exact log10 LR {lr}")
        _more(len(rows), show_all)
    if result.lineage:
        rows = result.lineage
        click.echo(f"Lineage markers (Y-STR, mtDNA) on {len(rows)} candidate pairs; combined "
                   "log10 LR = autosomal + lineage (independent inheritance):")
        for r in rows if show_all else rows[:SHOWN]:
            lr = "-inf" if r["combined_log10_lr"] is None else f"{r['combined_log10_lr']:8.3f}"
            kinds = "+".join(k for k in ("y", "mtdna") if k in r).replace("y", "Y")
            click.echo(f"  {r['pm']:<16} {r['reference']:<24} {r['relationship']:<13} "
                       f"{kinds:<8} combined log10 LR {lr}")
        _more(len(rows), show_all)
    if result.pm_pm is not None:
        groups = result.pm_pm_groups
        click.echo(f"PM-PM direct matches: {len(result.pm_pm['links'])} links, "
                   f"{len(result.pm_pm['groups'])} groups of samples from one person.")
        for group in groups if show_all else groups[:SHOWN]:
            click.echo("  " + ", ".join(group))
        _more(len(groups), show_all)
    if output is not None:
        write_candidates(output, result)
        click.echo(f"Candidates written to {output}.")
    if result.stored is not None:
        click.echo(f"{result.stored} candidates stored in the database (earlier candidates of "
                   f"{', '.join(result.relationships)} replaced).")
    elif dataset is not None and output is None and not follow:
        records = cands.records()
        for r in records if show_all else records[:SHOWN]:
            click.echo(f"  {r['pm']:<16} {r['reference']:<24} {r['relationship']:<13} "
                       f"log10 LR {r['log10_lr']:8.3f}  loci {r['common_loci']}")
        _more(len(records), show_all)
