"""``homecoming identify DATASET.json``: solve a DVI dataset (docs/formats/dvi-dataset.md).

A ``.fam`` path is read as a Familias DVI file (``homecoming.formats.familias``).
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


@click.command("identify")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Write homecoming/dvi-result@1 JSON.")
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
def identify_command(dataset: Path, as_json: bool, top: int, lr_threshold: float,
                     probable_threshold: float | None, posterior_threshold: float,
                     no_posterior_threshold: bool, prior_missing: int | None,
                     max_incompatible: int, no_exclusion: bool, ignore_sex: bool,
                     no_evidence: bool) -> None:
    """Identify victims in a DVI DATASET (dvi-dataset@1 JSON, or a Familias .fam file).

    Pairwise LRs, exclusions, the exact best joint assignments with posteriors, and a
    conclusion per missing person and per victim.
    """
    from homecoming.formats.dvi_dataset import dvi_result_json
    from homecoming.identification import EvidenceConfig, IdentificationConfig, solve

    ds = _load(dataset)
    cfg = IdentificationConfig(
        lr_threshold=lr_threshold, probable_threshold=probable_threshold,
        posterior_threshold=None if no_posterior_threshold else posterior_threshold,
        prior_missing=prior_missing,
        max_incompatible=None if no_exclusion else max_incompatible, top=top,
        ignore_sex=ignore_sex, evidence=EvidenceConfig(enabled=not no_evidence))
    result = solve(ds, config=cfg, input_sha256=getattr(ds, "input_sha256", None))
    if as_json:
        click.echo(json.dumps(dvi_result_json(result), indent=1, allow_nan=False))
    else:
        click.echo(render_text(result, source=str(dataset)))
