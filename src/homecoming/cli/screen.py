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
N worker processes and ``--scheduler tcp://host:8786`` on a running Dask cluster.
"""

from __future__ import annotations

import csv
import json
import math
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from homecoming.errors import InputError
from homecoming.identification.screening import (
    DEFAULT_MIN_COMMON,
    DEFAULT_MIN_LOG10_LR,
    DEFAULT_MUTATION,
    RELATIONSHIPS,
    Candidates,
    screen_codes,
    screening_provenance,
)

__all__ = ["screen_command", "DEFAULT_FREQUENCIES", "CANDIDATES_FORMAT"]

#: frequency database used when neither --frequencies nor a dataset's markers are given
DEFAULT_FREQUENCIES = "nist1036_all"
CANDIDATES_FORMAT = "homecoming/screening-candidates@1"


def _normalise(genotypes: Mapping[str, Sequence[str | None]]) -> dict[str, tuple]:
    """A single listed allele is a homozygote (``"15"`` → ``("15", "15")``), as in CODIS
    and most laboratory exports."""
    out = {}
    for locus, g in genotypes.items():
        g = tuple(g)
        if len(g) == 1:
            g = (g[0], g[0])
        out[locus] = g
    return out


def _profiles_from_database(ctx: click.Context) -> tuple[list, list, dict[str, Any]]:
    from homecoming.cli.database import open_database
    from homecoming.storage.repositories import profiles_for

    db = open_database(ctx)
    with db.session() as session:
        pm = [(b, _normalise(g)) for b, g in profiles_for(session, "remains")]
        refs = [(b, _normalise(g)) for b, g in profiles_for(session, "donor")]
    return pm, refs, {"database": db.masked_url}


def _profiles_from_dataset(path: str) -> tuple[list, list, dict[str, Any], Any]:
    from homecoming.formats.dvi_dataset import load_dvi_dataset

    ds = load_dvi_dataset(path)
    pm = [(v.id, dict(v.genotypes)) for v in ds.victims]
    refs = []
    for fam in ds.families:
        for pid in fam.typed_members():
            refs.append((f"{fam.name}/{pid}", dict(fam.genotypes[pid])))
    source = {"dataset": str(path), "input_sha256": getattr(ds, "input_sha256", None)}
    return pm, refs, source, ds


def _markers_from_frequencies(name: str, profiles: Sequence[Mapping[str, tuple]]) -> tuple[list, Any]:
    from homecoming.genetics.frequencies import load_database

    fdb = load_database(name)
    observed: dict[str, set[str]] = {}
    for prof in profiles:
        for locus, g in prof.items():
            if locus not in fdb:
                continue
            key = fdb.locus_name(locus)
            observed.setdefault(key, set()).update(a for a in g if a is not None)
    names = [locus for locus in fdb.loci if locus in observed]
    if not names:
        raise InputError(f"frequencies {name!r}: none of its loci is typed in the profiles; "
                         "expected profiles with loci of the frequency database",
                         field="frequencies", value=name)
    markers = fdb.markers(names, mutation=_mutation(), extra_alleles=observed)
    return markers, fdb


def _mutation() -> Any:
    from homecoming.identification.screening import default_mutation

    return default_mutation()


class _Bar:
    """tqdm progress over all relationships together."""

    def __init__(self, total: int, quiet: bool) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="pair", unit_scale=True, disable=quiet,
                        file=sys.stderr, desc="screening", dynamic_ncols=True)
        self.base = 0
        self.last = 0

    def start(self, base: int) -> None:
        self.base = base
        self.last = 0

    def __call__(self, done: int, _total: int) -> None:
        self.bar.update(done - self.last)
        self.last = done

    def close(self) -> None:
        self.bar.close()


def _write_output(path: Path, cands: Candidates, follow: list | None = None,
                  pmpm: dict | None = None) -> None:
    rows = cands.records()
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            fh.write(f"# {CANDIDATES_FORMAT}; provenance: "
                     f"{json.dumps(cands.provenance, sort_keys=True, default=str)}\n")
            writer = csv.DictWriter(fh, fieldnames=["pm", "reference", "relationship",
                                                    "log10_lr", "lr", "common_loci"])
            writer.writeheader()
            writer.writerows(rows)
    else:
        for r in rows:
            if not math.isfinite(r["lr"]):
                r["lr"] = None
        doc = {"format": CANDIDATES_FORMAT, "provenance": cands.provenance, "candidates": rows}
        if follow is not None:
            doc["follow_up"] = follow
        if pmpm is not None:
            doc["pm_pm"] = {"links": pmpm["links"], "groups": pmpm["groups"]}
        path.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")


def _store(ctx: click.Context, cands: Candidates, relationships: Sequence[str]) -> int:
    from homecoming.casework import Candidate
    from homecoming.cli.database import open_database
    from homecoming.storage.repositories import add_candidates, delete_candidates

    db = open_database(ctx)
    records = [Candidate(pm_barcode=r["pm"], ref_barcode=r["reference"],
                         relationship=r["relationship"], log10_lr=r["log10_lr"],
                         provenance=cands.provenance)
               for r in cands.records()]
    with db.session() as session:
        for rel in relationships:
            delete_candidates(session, relationship=rel)
        return add_candidates(session, records)


def _elimination(ctx: click.Context, frequency_name: str | None, no_store: bool,
                 output: str | None, *, min_lr: float | None = None,
                 min_compared: int | None = None, max_mismatches: int | None = None) -> None:
    """``--elimination``: PM profiles against the staff (elimination) profiles."""
    from homecoming.cli.database import open_database
    from homecoming.identification.elimination import (
        DEFAULT_MAX_MISMATCHES,
        DEFAULT_MIN_COMPARED,
        DEFAULT_MIN_LOG10_LR,
        eliminate,
    )
    from homecoming.storage.repositories import profiles_for
    from homecoming.storage.repositories.staff import (
        add_elimination_flags,
        delete_elimination_flags,
        flags_from_result,
        staff_profiles,
    )

    min_log10_lr = DEFAULT_MIN_LOG10_LR if min_lr is None else math.log10(min_lr)
    min_compared = DEFAULT_MIN_COMPARED if min_compared is None else min_compared
    max_mismatches = DEFAULT_MAX_MISMATCHES if max_mismatches is None else max_mismatches
    started = time.perf_counter()
    db = open_database(ctx)
    with db.session() as session:
        pm = [(b, _normalise(g)) for b, g in profiles_for(session, "remains")]
        staff = [(c, _normalise(g)) for c, g in staff_profiles(session)]
    if not pm or not staff:
        raise InputError(f"nothing to compare: {len(pm)} post-mortem and {len(staff)} staff "
                         "profiles; expected at least one of each (homecoming import "
                         "staff-profiles FILE.csv)", field="profiles")
    markers, fdb = _markers_from_frequencies(frequency_name or DEFAULT_FREQUENCIES,
                                             [g for _, g in pm] + [g for _, g in staff])

    def rekey(g: Mapping[str, tuple]) -> dict[str, tuple]:
        return {(fdb.locus_name(locus) if locus in fdb else locus): a for locus, a in g.items()}
    result = eliminate([rekey(g) for _, g in pm], [rekey(g) for _, g in staff],
                       markers=markers, pm_ids=[b for b, _ in pm],
                       staff_ids=[c for c, _ in staff], min_compared=min_compared,
                       max_mismatches=max_mismatches, min_log10_lr=min_log10_lr)
    prov = dict(result.provenance)
    prov.update(frequency_db={"name": fdb.name, "sha256": fdb.sha256},
                database=db.masked_url, elapsed_s=round(time.perf_counter() - started, 3))
    records = result.records()
    click.echo(f"Elimination check: {len(pm)} post-mortem x {len(staff)} staff profiles on "
               f"{len(markers)} loci: {len(records)} possible contamination flag(s) on "
               f"{len(result.flagged_pm)} PM profile(s) (at least {min_compared} loci "
               f"compared, at most {max_mismatches} mismatches, inclusion log10 LR >= "
               f"{min_log10_lr:g}).")
    for r in records[:50]:
        lr = "   n/a" if r["log10_lr"] is None else f"{r['log10_lr']:8.3f}"
        click.echo(f"  {r['pm']:<16} staff {r['staff']:<16} log10 LR {lr}  loci "
                   f"{r['compared_loci']}")
    if len(records) > 50:
        click.echo(f"  ... {len(records) - 50} more (use --output FILE)")
    if output is not None:
        path = Path(output)
        if path.suffix.lower() == ".csv":
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, ["pm", "staff", "compared_loci", "mismatches",
                                             "log10_lr"])
                writer.writeheader()
                writer.writerows(records)
        else:
            path.write_text(json.dumps({"format": "homecoming/elimination-flags@1",
                                        "flags": records, "provenance": prov},
                                       indent=2, default=str) + "\n", encoding="utf-8")
        click.echo(f"Flags written to {output}.")
    if not no_store:
        with db.session() as session:
            delete_elimination_flags(session)
            n = add_elimination_flags(session, flags_from_result(result, prov))
        click.echo(f"{n} elimination flag(s) stored in the database (earlier flags replaced).")


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
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def screen_command(ctx: click.Context, relationships: tuple[str, ...], min_lr: float | None,
                   min_common: int, scheduler: str | None, workers: int | None,
                   frequency_name: str | None, theta: float, dataset: str | None,
                   output: str | None, no_store: bool, follow: bool, pm_pm: bool,
                   elimination: bool, max_mismatches: int | None, quiet: bool) -> None:
    """Blind screening: every PM profile against every reference profile.

    Direct match, parent-child, full-sibling and half-sibling likelihood ratios (with
    mutation) for all pairs, in bounded memory; pairs above the thresholds are kept as
    candidates for an exact pedigree analysis, with provenance.
    """
    from homecoming.kinship.pairwise import PairwiseModel

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
        _elimination(ctx, frequency_name, no_store, output, min_lr=min_lr,
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
    if scheduler is not None:
        from homecoming.distributed.screening import check_scheduler_address

        check_scheduler_address(scheduler)
    thresholds = ({r: math.log10(min_lr) for r in rels} if min_lr is not None
                  else {r: DEFAULT_MIN_LOG10_LR[r] for r in rels})
    started = time.perf_counter()
    if dataset is not None:
        pm, refs, source, ds = _profiles_from_dataset(dataset)
    else:
        pm, refs, source = _profiles_from_database(ctx)
        ds = None
    if not pm or not refs:
        raise InputError(f"nothing to screen: {len(pm)} post-mortem and {len(refs)} reference "
                         "profiles; expected at least one of each", field="profiles")
    profiles = [g for _, g in pm] + [g for _, g in refs]
    if ds is not None and frequency_name is None:
        markers = list(ds.markers)
        fdb_info: Any = "dataset markers"
    else:
        markers, fdb = _markers_from_frequencies(frequency_name or DEFAULT_FREQUENCIES, profiles)
        fdb_info = {"name": fdb.name, "sha256": fdb.sha256}
    pm_ids = [i for i, _ in pm]
    ref_ids = [i for i, _ in refs]
    pairs = len(pm) * len(refs)
    bar = _Bar(pairs * len(rels), quiet)
    parts = []
    client = None
    try:
        if scheduler is not None or workers is not None:
            from dask.distributed import Client

            from homecoming.distributed.screening import connect, local_cluster, screen_distributed

            if scheduler is not None:
                client = connect(scheduler)
            else:
                client = Client(local_cluster(workers or 2))
        for k, rel in enumerate(rels):
            model = PairwiseModel(markers, rel, theta=theta)
            pm_codes = model.encode([g for _, g in pm], unknown="untyped")
            ref_codes = model.encode([g for _, g in refs], unknown="untyped")
            bar.start(k * pairs)
            kw = dict(relationship=rel, min_log10_lr=thresholds[rel], min_common=min_common,
                      progress=bar, pm_ids=pm_ids, ref_ids=ref_ids)
            if client is not None:
                parts.append(screen_distributed(pm_codes, ref_codes, model, client=client, **kw))
            else:
                parts.append(screen_codes(pm_codes, ref_codes, model, **kw))
    finally:
        bar.close()
        if client is not None:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    prov = screening_provenance(
        relationship=rels, min_log10_lr=thresholds, min_common=min_common, n_pm=len(pm),
        n_ref=len(refs), frequency_db=fdb_info, theta=theta,
        markers=[m.name for m in markers], mutation=DEFAULT_MUTATION if ds is None or
        frequency_name is not None else "dataset markers",
        execution=("dask " + (scheduler or f"local cluster of {workers} processes"))
        if client is not None else "single process",
        elapsed_s=round(time.perf_counter() - started, 3), **source)
    cands = Candidates.concat(parts, prov)
    cands = Candidates(cands.table, prov, tuple(pm_ids), tuple(ref_ids))
    counts = {r: int((cands.relationship == r).sum()) for r in rels}
    click.echo(f"Screened {len(pm)} post-mortem x {len(refs)} reference profiles on "
               f"{len(markers)} loci ({pairs * len(rels):,} pair tests) in "
               f"{time.perf_counter() - started:.1f} s: {len(cands)} candidates ("
               + ", ".join(f"{r} {n}" for r, n in counts.items()) + ").")
    follow_rows = None
    if follow and ds is not None:
        from homecoming.identification.screening import follow_up

        fams = {f.name: f for f in ds.families}
        ref_family = [rid.split("/", 1)[0] for rid in ref_ids]
        fu = follow_up(cands, [g for _, g in pm], ref_family, fams, list(ds.markers),
                       theta=ds.theta)
        follow_rows = [{"pm": pm_ids[f.pm], "family": f.family, "missing": f.missing,
                        "log10_lr": f.log10_lr if math.isfinite(f.log10_lr) else None,
                        "screening_relationship": f.relationship,
                        "screening_log10_lr": f.screening_log10_lr} for f in fu]
        click.echo(f"Exact follow-up: {len(follow_rows)} (victim, missing person) pairs.")
        for r in follow_rows[:50]:
            lr = "-inf" if r["log10_lr"] is None else f"{r['log10_lr']:8.3f}"
            click.echo(f"  {r['pm']:<16} {r['family']}/{r['missing']:<20} exact log10 LR {lr}")
    pmpm_doc = None
    if pm_pm:
        from homecoming.identification.pmpm import match_pm

        direct = PairwiseModel(markers, "direct", theta=theta)
        res = match_pm(direct.encode([g for _, g in pm], unknown="untyped"), direct,
                       min_common=min_common, pm_ids=pm_ids)
        pmpm_doc = res.to_json()
        click.echo(f"PM-PM direct matches: {len(res.links)} links, {len(res.groups)} groups of "
                   "samples from one person.")
        for group in res.group_ids[:50]:
            click.echo("  " + ", ".join(group))
    if output is not None:
        _write_output(Path(output), cands, follow_rows, pmpm_doc)
        click.echo(f"Candidates written to {output}.")
    if ds is None and not no_store:
        n = _store(ctx, cands, rels)
        click.echo(f"{n} candidates stored in the database (earlier candidates of "
                   f"{', '.join(rels)} replaced).")
    elif ds is not None and output is None and not follow:
        for r in cands.records()[:50]:
            click.echo(f"  {r['pm']:<16} {r['reference']:<24} {r['relationship']:<13} "
                       f"log10 LR {r['log10_lr']:8.3f}  loci {r['common_loci']}")
        if len(cands) > 50:
            click.echo(f"  ... {len(cands) - 50} more (use --output FILE)")
