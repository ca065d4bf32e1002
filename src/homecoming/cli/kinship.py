"""``homecoming kinship CASE.json [--json]``: likelihood ratios of a kinship case file.

The case is a ``homecoming/kinship-case@1`` file (docs/formats/kinship-case.md). A path ending
in ``.fam`` is read as a Familias file and converted to a kinship case first. Without
``--json`` the result is a readable table; with ``--json`` it is ``homecoming/kinship-result@1``
on standard output.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import click

from homecoming.errors import FormatError

__all__ = ["kinship_command", "run_case"]


def _load(path: Path):
    from homecoming.formats.kinship_case import load_kinship_case

    if path.suffix.lower() == ".fam":
        from homecoming.formats.familias import read_fam

        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        case = load_kinship_case(read_fam(path).to_kinship_case())
        return case, digest
    case = load_kinship_case(path)
    return case, case.sha256


def run_case(case):
    """Compute the ``KinshipResult`` of a parsed :class:`KinshipCase`."""
    from homecoming.kinship.lr import kinship_lr

    return kinship_lr(case.engine_hypotheses(), case.markers, case.genotypes,
                      reference=case.reference, theta=case.theta, dropout=case.dropout)


def _fmt_lr(x: float | int | None) -> str:
    if x is None:
        return "undefined"
    if x == 0:
        return "0"
    return f"{x:.6g}"


def _fmt_log(x: float | None) -> str:
    return "-inf" if x is None else f"{x:.4f}"


def _table(case, out: dict) -> str:
    lines = [f"Reference hypothesis: {out['reference']}"
             + (f"   theta = {case.theta:g}" if case.theta else "")]
    hyps = out["hypotheses"]
    if not hyps:
        lines.append("(only the reference hypothesis: nothing to compare)")
        return "\n".join(lines)
    name_w = max(10, *(len(n) for n in hyps))
    lines.append(f"{'Hypothesis':<{name_w}}  {'LR':>14}  {'log10 LR':>10}")
    for name, h in hyps.items():
        lr = _fmt_lr(h["lr"]) if h["lr"] is not None or h["log10_lr"] is None \
            else f"1e{h['log10_lr']:.4f}"
        lines.append(f"{name:<{name_w}}  {lr:>14}  {_fmt_log(h['log10_lr']):>10}")
    markers = list(next(iter(hyps.values()))["per_marker_lr"])
    if markers:
        lines.append("")
        lines.append("Per-marker LR")
        mw = max(6, *(len(m) for m in markers))
        cols = list(hyps)
        cw = [max(12, len(c)) for c in cols]
        lines.append(f"{'Marker':<{mw}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(cols, cw)))
        for m in markers:
            lines.append(f"{m:<{mw}}  " + "  ".join(
                f"{_fmt_lr(hyps[c]['per_marker_lr'][m]):>{w}}" for c, w in zip(cols, cw)))
    return "\n".join(lines)


@click.command("kinship")
@click.argument("case_path", metavar="CASE.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print homecoming/kinship-result@1 JSON instead of a table.")
def kinship_command(case_path: Path, as_json: bool) -> None:
    """Likelihood ratios of the hypotheses in a kinship case file (or a Familias .fam file).

    Every LR is against the case's reference hypothesis; per-marker LRs are listed too.
    """
    from homecoming.formats.kinship_case import kinship_result_json

    if not case_path.exists():
        raise FormatError("file not found", path=case_path)
    case, digest = _load(case_path)
    result = run_case(case)
    out = kinship_result_json(result, input_sha256=digest)
    if as_json:
        click.echo(json.dumps(out, indent=2, allow_nan=False))
    else:
        click.echo(_table(case, out))

