"""``homecoming identify [DATASET]``: solve a DVI dataset (docs/formats/dvi-dataset.md), or
the whole case stored in the casework database.

A ``.fam`` path is read as a Familias DVI file (``homecoming.formats.familias``). Without a
DATASET the stored case is read (remains with a typed sample and their examinations; missing
persons with their donors and the donors' profiles), screened pairwise, cut into independent
groups of families and candidate remains, and each group solved exactly
(:mod:`homecoming.identification.casework_case`). Output names remains codes, missing-person
ids and sample-free conclusions only; genotypes are printed nowhere.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click

from homecoming.errors import InputError


def _load(path: Path) -> Any:
    from homecoming.formats.dvi_dataset import dataset_from_json, load_dvi_dataset
    from homecoming.provenance import sha256_bytes

    if path.suffix.lower() == ".fam":
        try:
            from homecoming.formats.familias import read_fam
        except ImportError as exc:
            raise InputError(f"{path}: reading Familias .fam files needs "
                             "homecoming.formats.familias, which is not available "
                             f"({exc}); expected a dvi-dataset@1 JSON file instead",
                             field="DATASET", value=str(path)) from None
        obj = read_fam(path).to_dvi_dataset()
        ds = dataset_from_json(obj)
        ds.input_sha256 = sha256_bytes(path.read_bytes())
        ds.source = str(path)
        return ds
    return load_dvi_dataset(path)


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


CASE_FORMAT = "homecoming/case-identification@1"


def load_stored_case(session: Any, *, key_prefix: str | None = None) -> tuple[list, list]:
    """Victims and families of the case stored in the database (records whose key starts
    with ``key_prefix``, or all)."""
    from sqlalchemy import select

    from homecoming.identification.casework_case import case_from_records
    from homecoming.storage.repositories import Repositories

    repos = Repositories(session)

    def records(repo: Any) -> list[Any]:
        if key_prefix is None:
            return repo.list()
        key = repo.key_column
        rows = session.execute(select(repo.table).where(key.like(f"{key_prefix}%"))
                               .order_by(key)).all()
        return [repo.from_row(row._mapping) for row in rows]

    return case_from_records(
        examinations=records(repos.examinations), samples=records(repos.samples),
        profiles=records(repos.profiles), missing_persons=records(repos.missing_persons),
        donors=records(repos.donors))


def _identify_stored(ctx: click.Context, cfg: Any, frequency_name: str, as_json: bool,
                     output: Path | None, export_dataset: Path | None, quiet: bool,
                     store: bool = True) -> None:
    from tqdm import tqdm

    from homecoming.cli.database import open_database
    from homecoming.cli.screen import _markers_from_frequencies
    from homecoming.identification.casework_case import dvi_dataset_json, identify_case
    from homecoming.provenance import record

    db = open_database(ctx)
    db.require_current()
    with db.session() as session:
        victims, families = load_stored_case(session)
    typed_victims = [v for v in victims if v.genotypes]
    if not families:
        raise InputError(f"database {db.masked_url}: no missing persons are stored; expected "
                         "missing persons with reference donors (homecoming import "
                         "missing-persons, donors, samples, profiles)", field="missing_persons")
    if not typed_victims:
        raise InputError(f"database {db.masked_url}: no remains have a typed sample; expected "
                         "post-mortem profiles (homecoming import profiles)", field="profiles")
    profiles = [v.genotypes for v in victims] + [g for f in families
                                                 for g in f.profiles.values()]
    markers, fdb = _markers_from_frequencies(frequency_name, profiles)
    with tqdm(desc="Identifying", unit="group", disable=quiet or as_json, leave=False) as bar:
        def tick(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)
        result = identify_case(markers, victims, families, progress=tick, config=cfg)
    stored = None
    if store:  # services.identifications keeps every run as versions (--no-store skips)
        from homecoming.cli.screen import _mutation
        from homecoming.services.identifications import store_case_identification

        with db.session() as session:
            stored = store_case_identification(
                session, result, markers=markers, victims=victims, families=families, fdb=fdb,
                mutation=_mutation(), provenance=record(parameters=result.thresholds))
    rows = [{"missing": m, **d} for m, d in sorted(result.details.items())]
    doc = {"format": CASE_FORMAT, "database": db.masked_url,
           "frequencies": {"name": fdb.name, "sha256": fdb.sha256},
           "markers": [m.name for m in markers], "thresholds": result.thresholds,
           "summary": result.summary(), "missing_persons": rows, "warnings": result.warnings,
           "provenance": record(parameters=result.thresholds,
                                frequency_db={"name": fdb.name, "sha256": fdb.sha256})}
    if stored is not None:
        doc["stored"] = stored.to_dict()
    from homecoming.formats.registry import atomic_write_text

    if export_dataset is not None:
        atomic_write_text(export_dataset, json.dumps(
            dvi_dataset_json(markers, victims, families), indent=1) + "\n")
    if output is not None:
        atomic_write_text(output, json.dumps(doc, indent=1, allow_nan=False) + "\n")
    if as_json:
        click.echo(json.dumps(doc, indent=1, allow_nan=False))
        return
    summ = result.summary()
    click.echo(f"Database: {db.masked_url}")
    click.echo(f"{summ['victims']} remains with a DNA profile, {summ['families']} missing "
               f"persons; {len(markers)} loci ({fdb.name}); {summ['components']} groups of "
               f"families and candidate remains solved exactly.")
    click.echo("Thresholds: " + ", ".join(f"{k}={v}" for k, v in result.thresholds.items()))
    click.echo("Conclusions per missing person: " + ", ".join(
        f"{k} {v}" for k, v in summ["conclusions"].items()))
    shown = [r for r in rows if r["victim"] is not None]
    if shown:
        click.echo("")
        click.echo(_table(["missing", "remains", "LR", "posterior", "conclusion"],
                          [[r["missing"], r["victim"], _fmt_lr(r["lr"]),
                            "-" if r["posterior"] is None else f"{r['posterior']:.6g}",
                            r["conclusion"]] for r in shown]))
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


@click.command("identify")
@click.argument("dataset", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Write JSON: homecoming/dvi-result@1 for a DATASET, "
                   "homecoming/case-identification@1 for the stored case.")
@click.option("--top", "top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Number of joint assignments to report.")
@click.option("--lr-threshold", type=click.FloatRange(min=0, min_open=True), default=1e4,
              show_default=True, help="LR threshold for an identification (dvir default).")
@click.option("--probable-threshold", type=click.FloatRange(min=0, min_open=True), default=None,
              help="LR that 'probable' must exceed [default: max(1, LR threshold / 10)].")
@click.option("--posterior-threshold", type=click.FloatRange(min=0, max=1, min_open=True,
                                                             max_open=True),
              default=0.9995, show_default=True,
              help="Posterior (prior 1/N missing) an identification must also reach.")
@click.option("--no-posterior-threshold", is_flag=True, help="Do not require a posterior.")
@click.option("--prior-missing", type=click.IntRange(min=1), default=None,
              help="N for the prior 1/N [default: number of missing persons in the dataset].")
@click.option("--max-incompatible", type=click.IntRange(min=0), default=2, show_default=True,
              help="Exclude pairings with more Mendelian-inconsistent markers (dvir maxIncomp).")
@click.option("--no-exclusion", is_flag=True, help="Never exclude on inconsistencies.")
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
@click.pass_context
def identify_command(ctx: click.Context, dataset: Path | None, as_json: bool, top: int,
                     lr_threshold: float, probable_threshold: float | None,
                     posterior_threshold: float, no_posterior_threshold: bool,
                     prior_missing: int | None, max_incompatible: int, no_exclusion: bool,
                     ignore_sex: bool, no_evidence: bool, frequency_name: str | None,
                     output: Path | None, export_dataset: Path | None, quiet: bool,
                     no_store: bool = False) -> None:
    """Identify victims in a DVI DATASET (dvi-dataset@1 JSON, or a Familias .fam file), or,
    without DATASET, the whole case stored in the database.

    Pairwise LRs, exclusions, the exact best joint assignments with posteriors, and a
    conclusion per missing person and per victim. For the stored case the remains are first
    screened against each family's typed relatives, then each independent group of families
    and candidate remains is solved exactly; one conclusion per missing person is printed.
    """
    from homecoming.formats.dvi_dataset import dvi_result_json
    from homecoming.identification import EvidenceConfig, IdentificationConfig, solve

    if dataset is not None:
        for name, value in (("--frequencies", frequency_name), ("--output", output),
                            ("--export-dataset", export_dataset)):
            if value is not None:
                raise click.BadParameter("applies to the stored case only (no DATASET); a "
                                         "dataset carries its own markers and --json writes its "
                                         "result", param_hint=name)
    ds = _load(dataset) if dataset is not None else None
    cfg = IdentificationConfig(
        lr_threshold=lr_threshold, probable_threshold=probable_threshold,
        posterior_threshold=None if no_posterior_threshold else posterior_threshold,
        prior_missing=prior_missing,
        max_incompatible=None if no_exclusion else max_incompatible, top=top,
        ignore_sex=ignore_sex, evidence=EvidenceConfig(enabled=not no_evidence))
    if dataset is None:
        from homecoming.cli.screen import DEFAULT_FREQUENCIES

        _identify_stored(ctx, cfg, frequency_name or DEFAULT_FREQUENCIES, as_json, output,
                         export_dataset, quiet, store=not no_store)
        return
    from tqdm import tqdm

    # a bar (on stderr) only where the pairwise stage takes a while
    n_pairings = sum(len(f.missing) for f in ds.families) * len(ds.victims)
    with tqdm(total=n_pairings, desc="Pairwise LRs", unit="pairing", leave=False,
              disable=quiet or n_pairings < 2000) as bar:
        def tick(done: int, total: int) -> None:
            bar.update(done - bar.n)
        result = solve(ds, config=cfg, input_sha256=getattr(ds, "input_sha256", None),
                       progress=tick)
    if as_json:
        click.echo(json.dumps(dvi_result_json(result), indent=1, allow_nan=False))
    else:
        click.echo(render_text(result, source=str(dataset)))
