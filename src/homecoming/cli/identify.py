"""``homecoming identify [DATASET]``: solve a DVI dataset (docs/formats/dvi-dataset.md), or
the whole case stored in the casework database.

A ``.fam`` path is read as a Familias DVI file (``homecoming.formats.familias``). Without a
DATASET the stored case is read (remains with a typed sample and their examinations; missing
persons with their donors and the donors' profiles), screened pairwise, cut into independent
groups of families and candidate remains, and each group solved exactly
(:mod:`homecoming.services.case_identification`). Output names remains codes, missing-person
ids and sample-free conclusions only; genotypes are printed nowhere.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import click

from homecoming.cli.database import open_database
from homecoming.identification import IdentificationConfig

__all__ = ["identify_command", "render_text"]

#: the command's defaults are the engine's (IdentificationConfig)
_DEFAULTS = IdentificationConfig()


def _fmt_lr(x: float | None) -> str:
    if x is None:
        return "-"
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return "inf"
    return f"{x:.4g}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def render_text(result: Any, *, source: str | None = None) -> str:
    """Readable tables of a :class:`DviResult`."""
    parts = []
    if source:
        parts.append(f"Dataset: {source}")
    parts.append("Thresholds: " + ", ".join(f"{k}={v}" for k, v in result.thresholds.items()))
    parts.append("")
    parts.append("Conclusions per missing person")
    parts.append(_table(
        ["missing", "family", "victim", "LR", "GLR", "conclusion", "comment"],
        [[c.missing, c.family, c.victim or "-", _fmt_lr(c.lr), _fmt_lr(c.glr),
          c.conclusion.value, c.comment] for c in result.missing_conclusions]))
    parts.append("")
    parts.append("Conclusions per victim")
    parts.append(_table(
        ["victim", "missing", "LR", "GLR", "conclusion", "comment"],
        [[c.victim, c.missing or "-", _fmt_lr(c.lr), _fmt_lr(c.glr), c.conclusion.value,
          c.comment] for c in result.victim_conclusions]))
    parts.append("")
    exact = "exact" if result.posterior_exact else "APPROXIMATE (top-k sum)"
    parts.append(f"Joint assignments (best first; posterior under a flat prior, {exact})")
    rows = []
    for i, a in enumerate(result.joint, 1):
        pairs = ", ".join(f"{v}={m}" for v, m in a.assignment.items() if m) or "(none)"
        rows.append([str(i), pairs, f"{a.loglik:.3f}", _fmt_lr(a.lr), f"{a.posterior:.4g}"])
    parts.append(_table(["#", "assignment", "loglik", "LR", "posterior"], rows))
    parts.append("")
    parts.append("Pairwise LRs (victim is the missing person vs unrelated)")
    rows = [[p.victim, p.missing, p.family, _fmt_lr(p.lr), str(p.inconsistent_markers)]
            for p in result.pairwise if not p.excluded]
    parts.append(_table(["victim", "missing", "family", "LR", "inconsistent"], rows))
    n_excl = sum(p.excluded for p in result.pairwise)
    if n_excl:
        parts.append(f"({n_excl} excluded pairings not shown; --json lists them with reasons)")
    if result.warnings:
        parts.append("")
        parts.extend(f"Warning: {w}" for w in result.warnings)
    return "\n".join(parts)


class _StagesPerSolve:
    """A ``stage_progress`` callback for a run of several solves (one per group of the stored
    case): fresh :func:`~homecoming.identification.progress.tqdm_stages` bars for each solve,
    recognised by a stage that comes back after another one."""

    def __init__(self, *, disable: bool) -> None:
        self.disable = disable
        self._ctx: Any = None
        self._cb: Any = None
        self._seen: set[str] = set()
        self._last: str | None = None

    def _open(self) -> None:
        from homecoming.identification.progress import tqdm_stages

        self._ctx = tqdm_stages(disable=self.disable)
        self._cb = self._ctx.__enter__()
        self._seen = set()

    def _close(self) -> None:
        if self._ctx is not None:
            self._ctx.__exit__(None, None, None)
            self._ctx = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._ctx is None or (stage in self._seen and stage != self._last):
            self._close()
            self._open()
        self._seen.add(stage)
        self._last = stage
        self._cb(stage, done, total)

    def __enter__(self) -> _StagesPerSolve:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()


def _identify_stored(ctx: click.Context, cfg: Any, frequency_name: str | None, as_json: bool,
                     output: Path | None, export_dataset: Path | None, quiet: bool,
                     store: bool = True, theta: float = 0.0, mutation: Any = "default",
                     dropout: float | None = None,
                     screening: dict[str, Any] | None = None) -> None:
    from tqdm import tqdm

    from homecoming.formats.registry import atomic_write_text
    from homecoming.services.case_identification import identify_stored_case

    db = open_database(ctx)
    with tqdm(desc="Identifying", unit="group", disable=quiet or as_json, leave=False) as bar, \
            _StagesPerSolve(disable=quiet) as on_stage:
        def tick(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)
        run = identify_stored_case(db, config=cfg, frequencies=frequency_name, store=store,
                                   progress=tick, theta=theta, mutation=mutation,
                                   stage_progress=on_stage, dropout=dropout,
                                   **(screening or {}))
    doc, result, stored = run.document, run.result, run.stored
    if export_dataset is not None:
        atomic_write_text(export_dataset, json.dumps(run.dataset_json(), indent=1) + "\n")
    if output is not None:
        atomic_write_text(output, json.dumps(doc, indent=1, allow_nan=False) + "\n")
    if as_json:
        click.echo(json.dumps(doc, indent=1, allow_nan=False))
        return
    summ = result.summary()
    rows = doc["missing_persons"]
    click.echo(f"Database: {db.masked_url}")
    click.echo(f"{summ['victims']} remains with a DNA profile, {summ['families']} missing "
               f"persons; {len(run.markers)} loci ({run.frequency_db.name}); "
               f"{summ['components']} groups of families and candidate remains solved "
               "exactly.")
    click.echo("Thresholds: " + ", ".join(f"{k}={v}" for k, v in result.thresholds.items()))
    model = doc["model"]
    click.echo(f"Model: frequencies {run.frequency_db.name} (sha256 "
               f"{run.frequency_db.sha256[:16]}...), mutation "
               + (", ".join(f"{k} {v}" for k, v in model["mutation"].items() if v is not None)
                  if model["mutation"] else "none")
               + f", theta {model['theta']}, drop-out {model['dropout']}"
               + (f"; loci left out (not in the table): {', '.join(doc['loci_left_out'])}"
                  if doc["loci_left_out"] else ""))
    click.echo("Conclusions per missing person: " + ", ".join(
        f"{k} {v}" for k, v in summ["conclusions"].items()))
    shown = [r for r in rows if r["victim"] is not None]
    if shown:
        click.echo("")
        click.echo(_table(["missing", "remains", "LR", "posterior", "conclusion"],
                          [[r["missing"], r["victim"], _fmt_lr(r["lr"]),
                            "-" if r["posterior"] is None else f"{r['posterior']:.6g}",
                            r["conclusion"]] for r in shown]))
    unresolved = [r for r in rows if r["missing"] not in result.identified]
    if unresolved:
        click.echo("")
        click.echo(f"{len(unresolved)} missing person(s) not identified:")
        click.echo(_table(["missing", "conclusion", "comment"],
                          [[r["missing"], r["conclusion"], r["comment"] or ""]
                           for r in unresolved]))
    matched = set(result.identified.values())
    unidentified = sorted(v.id for v in run.victims if v.genotypes and v.id not in matched)
    if unidentified:
        click.echo("")
        click.echo(f"{len(unidentified)} remains with a DNA profile not identified: "
                   + ", ".join(unidentified))
    if run.document.get("lineage"):
        lin = run.document["lineage"]
        click.echo(f"Lineage markers (Y-STR, mtDNA) compared on {lin['pairs']} remains x "
                   f"missing-person pair(s): {lin['combination']}; {lin['frequency']}.")
    for w in result.warnings:
        click.echo(f"Warning: {w}")
    if stored is not None:
        click.echo(f"Stored {len(stored.stored)} new identification version(s) (run "
                   f"{stored.run_id}; {len(stored.unchanged)} unchanged, {len(stored.stale)} "
                   "made stale): homecoming identifications list")
    if export_dataset is not None:
        click.echo(f"Wrote the stored case as dvi-dataset@1 to {export_dataset}.")
    if output is not None:
        click.echo(f"Wrote the result to {output}.")


def _check_screen_min(ctx: click.Context, param: click.Parameter,
                      value: float | None) -> float | None:
    """``--screen-min-log10-lr``: a finite number above 0 (the service's check)."""
    if value is None:
        return None
    from homecoming.errors import InputError
    from homecoming.services.screening import check_screening_rule

    try:
        return check_screening_rule(value, 0)[0]
    except InputError as exc:
        raise click.BadParameter(f"{value!r}; expected a finite log10 LR above 0 (2 is LR "
                                 "100, the default)", ctx=ctx, param=param) from exc


@click.command("identify")
@click.argument("dataset", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Write JSON: homecoming/dvi-result@1 for a DATASET, "
                   "homecoming/case-identification@1 for the stored case.")
@click.option("--top", "top", type=click.IntRange(min=1), default=_DEFAULTS.top,
              show_default=True, help="Number of joint assignments to report.")
@click.option("--lr-threshold", type=click.FloatRange(min=0, min_open=True),
              default=_DEFAULTS.lr_threshold,
              show_default=True, help="LR threshold for an identification (dvir default).")
@click.option("--probable-threshold", type=click.FloatRange(min=0, min_open=True), default=None,
              help="LR that 'probable' must exceed [default: max(1, LR threshold / 10)].")
@click.option("--posterior-threshold", type=click.FloatRange(min=0, max=1, min_open=True,
                                                             max_open=True),
              default=_DEFAULTS.posterior_threshold, show_default=True,
              help="Posterior (prior 1/N missing) an identification must also reach.")
@click.option("--no-posterior-threshold", is_flag=True, help="Do not require a posterior.")
@click.option("--prior-missing", type=click.IntRange(min=1), default=None,
              help="N for the prior 1/N [default: number of missing persons in the dataset].")
@click.option("--max-incompatible", type=click.IntRange(min=0),
              default=_DEFAULTS.max_incompatible, show_default=True,
              help="Exclude pairings with more Mendelian-inconsistent markers (dvir maxIncomp).")
@click.option("--no-exclusion", is_flag=True, help="Never exclude on inconsistencies.")
@click.option("--max-assignment-solves", type=click.IntRange(min=1),
              default=_DEFAULTS.max_assignment_solves, show_default=True, metavar="N",
              help="Work limit of the joint search on one component of families too wide for "
                   "the exact dynamic programme: linear-assignment solves and option "
                   "combinations examined. Past it that component's assignments are the best "
                   "found, not proven best, and a warning says so (search.limit_reached); a "
                   "larger N searches longer.")
@click.option("--ignore-sex", is_flag=True, help="Pair victims and missing persons of any sex.")
@click.option("--no-evidence", is_flag=True, help="Ignore non-DNA evidence fields.")
@click.option("--frequencies", "frequency_name", default=None, metavar="NAME",
              help="Stored case: allele-frequency database (default: nist1036_all; "
                   "`homecoming frequencies list`).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Stored case: also write the result (JSON) to this file.")
@click.option("--export-dataset", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Stored case: also write it as a dvi-dataset@1 JSON file (contains "
                   "genotypes).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--no-store", is_flag=True,
              help="Stored case: do not store the results as identification versions.")
@click.option("--theta", type=click.FloatRange(min=0, max=1, max_open=True), default=0.0,
              show_default=True, help="Stored case: Balding-Nichols theta (co-ancestry).")
@click.option("--mutation-rate", type=click.FloatRange(min=0, max=1), default=None,
              help="Stored case: stepwise mutation rate per meiosis [default: 0.002].")
@click.option("--no-mutation", is_flag=True, help="Stored case: no mutation model.")
@click.option("--only-new", "only_new", multiple=True, metavar="PROFILE_ID",
              help="Stored case: screen only these newly imported profiles (sample barcodes; "
                   "repeatable) and solve again only the groups they touch.")
@click.option("--dropout", type=click.FloatRange(min=0, max=1, max_open=True), default=None,
              help="Stored case: drop-out probability of every post-mortem profile (each "
                   "allele copy independently, as in kinship-case@1 'dropout'; references are "
                   "observed exactly), used in the screening, the joint solve and the stored "
                   "LRs; default none (with --only-new: the latest stored run's).")
@click.option("--screen-min-log10-lr", "screen_min_log10_lr", type=float, default=None,
              metavar="X", callback=_check_screen_min,
              help="Stored case: the pairwise screening keeps remains as a candidate for a "
                   "missing person when the sum of its log10 LRs against the family's typed "
                   "relatives reaches X (a number above 0) [default: 2, LR 100], or by "
                   "--screen-top. Candidates join families and remains into the groups solved "
                   "exactly. The default suits hundreds to a few thousand remains; with more, "
                   "chance scores chain most families into one huge group: raise X to about "
                   "log10(number of remains) + 1 (5 for 10^4 remains) and give --screen-top 0. "
                   "Recorded in the thresholds (screening_min_log10_lr). With --only-new the "
                   "default is the rule of the latest stored run (its groups then match a full "
                   "run's).")
@click.option("--screen-top", "screen_top", type=click.IntRange(min=0), default=None,
              metavar="K",
              help="Stored case: also keep each missing person's K best remains with a "
                   "positive log10 LR sum, however weak [default: 2; with --only-new the "
                   "latest stored run's]; 0: only "
                   "--screen-min-log10-lr decides. Give 0 at national scale (10^4 remains or "
                   "more), where these weak candidates chain families into one group. "
                   "Recorded in the thresholds (screening_top). Not --top, the number of joint "
                   "assignments reported.")
@click.pass_context
def identify_command(ctx: click.Context, dataset: Path | None, as_json: bool, top: int,
                     lr_threshold: float, probable_threshold: float | None,
                     posterior_threshold: float, no_posterior_threshold: bool,
                     prior_missing: int | None, max_incompatible: int, no_exclusion: bool,
                     ignore_sex: bool, no_evidence: bool, frequency_name: str | None,
                     output: Path | None, export_dataset: Path | None, quiet: bool,
                     no_store: bool = False, theta: float = 0.0,
                     mutation_rate: float | None = None, no_mutation: bool = False,
                     only_new: tuple[str, ...] = (), dropout: float | None = None,
                     screen_min_log10_lr: float | None = None,
                     screen_top: int | None = None,
                     max_assignment_solves: int = _DEFAULTS.max_assignment_solves) -> None:
    """Identify victims in a DVI DATASET (dvi-dataset@1 JSON, or a Familias .fam file), or,
    without DATASET, the whole case stored in the database.

    Pairwise LRs, exclusions, the exact best joint assignments with posteriors, and a
    conclusion per missing person and per victim. For the stored case the remains are first
    screened against each family's typed relatives, then each independent group of families
    and candidate remains is solved exactly; one conclusion per missing person is printed.
    """
    import dataclasses

    from homecoming.identification import EvidenceConfig

    if dataset is not None:
        for name, value in (("--frequencies", frequency_name), ("--output", output),
                            ("--export-dataset", export_dataset),
                            ("--theta", theta or None), ("--mutation-rate", mutation_rate),
                            ("--no-mutation", no_mutation or None),
                            ("--only-new", only_new or None), ("--dropout", dropout),
                            ("--screen-min-log10-lr", screen_min_log10_lr),
                            ("--screen-top", screen_top)):
            if value is not None:
                raise click.BadParameter("applies to the stored case only (no DATASET); a "
                                         "dataset carries its own markers and --json writes its "
                                         "result", param_hint=name)
    cfg = dataclasses.replace(
        _DEFAULTS, lr_threshold=lr_threshold, probable_threshold=probable_threshold,
        posterior_threshold=None if no_posterior_threshold else posterior_threshold,
        prior_missing=prior_missing,
        max_incompatible=None if no_exclusion else max_incompatible, top=top,
        ignore_sex=ignore_sex, evidence=EvidenceConfig(enabled=not no_evidence),
        max_assignment_solves=max_assignment_solves)
    if dataset is None:
        # the screening's candidate rule: the service's default where not given
        screening: dict[str, Any] = {k: v for k, v in (("min_log10_lr", screen_min_log10_lr),
                                                        ("top", screen_top)) if v is not None}
        mutation: Any = "default"
        if no_mutation:
            mutation = None
        elif mutation_rate is not None:
            from homecoming.genetics.markers import MutationSpec
            from homecoming.identification.screening import DEFAULT_MUTATION

            mutation = MutationSpec(**{**DEFAULT_MUTATION, "rate": mutation_rate})
        if only_new:
            from homecoming.cli.incremental import identify_only_new

            identify_only_new(ctx, only_new, cfg, frequency_name=frequency_name,
                              as_json=as_json, output=output, quiet=quiet, store=not no_store,
                              theta=theta, mutation=mutation, export_dataset=export_dataset,
                              dropout=dropout, screening=screening)
            return
        _identify_stored(ctx, cfg, frequency_name, as_json, output, export_dataset, quiet,
                         store=not no_store, theta=theta, mutation=mutation, dropout=dropout,
                         screening=screening)
        return
    from homecoming.formats.dvi_dataset import write_dvi_result_json
    from homecoming.identification.progress import tqdm_stages
    from homecoming.services.dataset_identification import identify_dataset, load_dataset

    ds = load_dataset(dataset)
    # one bar per stage (on stderr), only for a stage longer than a second
    with tqdm_stages(disable=quiet) as on_stage:
        _, result = identify_dataset(ds, config=cfg, stage_progress=on_stage)
    if as_json:
        # written a block of rows at a time: millions of pairwise rows as one string took
        # gigabytes (2,000 victims x 2,000 missing persons)
        out = sys.stdout
        write_dvi_result_json(result, out)
        out.write("\n")
        out.flush()
    else:
        click.echo(render_text(result, source=str(dataset)))
