"""``homecoming power CASE.json --missing ID``: exclusion and identification power of the
references of a missing-person case (a kinship-case@1 file; docs/reference/formats/
power-result.md). A thin shell over :func:`homecoming.services.power.case_power`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from homecoming.errors import FormatError

__all__ = ["power_command"]


def _fmt(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _table(out: dict[str, Any]) -> str:
    lines = [f"Missing person {out['missing']} in hypothesis {out['hypothesis']!r}; "
             f"references: {', '.join(out['references']) or '(none typed)'}"]
    if out["ignored_genotypes"]:
        lines.append("Not references (outside the pedigree, or the missing person): "
                     + ", ".join(out["ignored_genotypes"]))
    lines.append(f"Exclusion power: {_fmt(out['exclusion_power'])}")
    per = out["per_marker_exclusion_power"]
    if per:
        width = max(6, *(len(m) for m in per))
        lines.append(f"{'Marker':<{width}}  {'EP':>8}")
        kept = set(out["mutation_kept"])
        for marker, value in per.items():
            note = ("  (no value: inconsistent references)" if value is None
                    else "  (mutation model kept)" if marker in kept else "")
            lines.append(f"{marker:<{width}}  {_fmt(value):>8}{note}")
    ip = out["identification_power"]
    if ip:
        lines.append("")
        lines.append(f"Identification power: {ip['simulations']} simulations per hypothesis, "
                     f"seed {ip['seed']}, threshold LR >= {ip['threshold']:g}")
        for label, key in (("missing person among the remains", "missing_person"),
                           ("unrelated person", "unrelated")):
            d = ip[key]
            lines.append(f"  {label}: P(LR >= threshold) = "
                         f"{_fmt(d['p_lr_at_least_threshold'])} "
                         f"(SE {_fmt(d['p_lr_at_least_threshold_se'])}); "
                         f"excluded {_fmt(d['p_excluded'])}; "
                         f"E[log10 LR] = {_fmt(d['expected_log10_lr'], 3)} exact "
                         f"(not excluded: {_fmt(d['expected_log10_lr_not_excluded'], 3)})")
    return "\n".join(lines)


@click.command("power")
@click.argument("case_path", metavar="CASE.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--missing", "missing", required=True, metavar="ID",
              help="The untyped missing person's id in the pedigree.")
@click.option("--hypothesis", metavar="NAME", default=None,
              help="The hypothesis whose pedigree holds the missing person (default: the first).")
@click.option("--simulations", metavar="N", type=click.IntRange(min=0), default=1000,
              show_default=True,
              help="Simulations per hypothesis for the identification power (0: none).")
@click.option("--threshold", metavar="T", type=click.FloatRange(min=0, min_open=True),
              default=10000.0, show_default=True, help="LR threshold of the identification power.")
@click.option("--seed", metavar="S", type=click.IntRange(min=0), default=None,
              help="Random seed of the simulations (default: drawn and reported).")
@click.option("--json", "as_json", is_flag=True,
              help="Print homecoming/power-result@1 JSON instead of a table.")
def power_command(case_path: Path, missing: str, hypothesis: str | None, simulations: int,
                  threshold: float, seed: int | None, as_json: bool) -> None:
    """Exclusion and identification power of a missing-person case file.

    The pedigree of the case's first hypothesis (or --hypothesis) holds the untyped missing
    person and the typed references.
    """
    from homecoming.services.power import case_power

    if not case_path.exists():
        raise FormatError("file not found", path=case_path)
    out = case_power(case_path, missing=missing, hypothesis=hypothesis,
                     simulations=simulations, threshold=threshold, seed=seed)
    if as_json:
        click.echo(json.dumps(out, indent=2, allow_nan=False))
    else:
        click.echo(_table(out))
