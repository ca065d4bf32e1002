"""``homecoming advise``: which relative to ask next for a reference sample.

``homecoming advise CASE.json --missing ID`` (a kinship-case@1 file), ``homecoming advise
FAMILY_ID`` (a missing person of the stored case) and ``homecoming advise --all`` (the
worklist: every stored family whose references cannot reach the threshold, with its best next
donor). A thin shell over :mod:`homecoming.services.advice`; the JSON is
``homecoming/advice-result@1`` (docs/reference/formats/advice-result.md).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import click

from homecoming.errors import InputError

__all__ = ["advise_command"]


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _who(c: dict[str, Any]) -> str:
    label = f"{c['relation']} ({'new person' if c['added'] else c['person']}"
    if c.get("donor"):
        label += f", donor {c['donor']}"
    lines = "/".join(c.get("lineages") or [])
    return label + ")" + (f" [{lines}]" if lines else "")


def _family_lines(f: dict[str, Any], threshold: float) -> list[str]:
    status = "reaches" if f["reaches_threshold"] else "cannot reach"
    lines = [f"Missing person {f['missing']}: references "
             f"{', '.join(f['reference_donors'] or f['references']) or '(none typed)'}; "
             f"exclusion power {_fmt(f['exclusion_power'], 4)}, E[log10 LR] "
             f"{_fmt(f['expected_log10_lr'])} ({status} log10 {threshold:g} = "
             f"{math.log10(threshold):.2f})"]
    if f["candidates"]:
        lines.append(f"  {'#':>2}  {'candidate':<40} {'EP':>7} {'+EP':>7} {'E[log10 LR]':>11} "
                     f"{'+':>7}")
    for c in f["candidates"]:
        mark = "  reaches" if c["reaches_threshold"] else ""
        lines.append(f"  {c['rank']:>2}  {_who(c)[:40]:<40} {_fmt(c['exclusion_power'], 4):>7} "
                     f"{_fmt(c['exclusion_power_gain'], 4):>7} "
                     f"{_fmt(c['expected_log10_lr']):>11} "
                     f"{_fmt(c['expected_log10_lr_gain']):>7}{mark}")
    lines += [f"  {c['rank']:>2}: ask for {', '.join(c['ask_for'])}" for c in f["candidates"]
              if c.get("ask_for") and c["ask_for"][0] != "autosomal STRs"]
    lines += [f"  typed {r['relationship']} (donor {r['donor']}, {r['meioses']} meioses on the "
              f"line): ask for {r['ask_for']}" for r in f.get("lineage_requests") or []]
    return lines


def _text(doc: dict[str, Any]) -> str:
    threshold = doc["threshold"]
    lines: list[str] = []
    if "families_checked" in doc:
        lines.append(f"{doc['families_below_threshold']} of {doc['families_checked']} families "
                     f"cannot reach LR {threshold:g} ({doc['criterion']}).")
        for f in doc["families"]:
            best = f["best_next_donor"]
            lines.append(f"{f['missing']}: E[log10 LR] {_fmt(f['expected_log10_lr'])}; ask "
                         + (f"{_who(best)}: E[log10 LR] {_fmt(best['expected_log10_lr'])}"
                            f"{' (reaches)' if best['reaches_threshold'] else ''}"
                            f" for {', '.join(best.get('ask_for') or ['autosomal STRs'])}"
                            if best else "(no candidate)"))
        return "\n".join(lines)
    for f in doc["families"]:
        lines += _family_lines(f, threshold)
    lines.append("Ranked by the gain in expected log10 LR (H1, exact), then in exclusion "
                 "power, if that person gave a sample; [Y], [mtDNA]: shares that lineage "
                 "marker with the missing person.")
    return "\n".join(lines)


@click.command("advise")
@click.argument("target", metavar="[CASE.json | FAMILY_ID]", required=False)
@click.option("--missing", "missing", metavar="ID", default=None,
              help="With CASE.json: the untyped missing person's id in the pedigree.")
@click.option("--hypothesis", metavar="NAME", default=None,
              help="With CASE.json: the hypothesis whose pedigree holds the missing person "
                   "(default: the first).")
@click.option("--all", "all_families", is_flag=True,
              help="Every stored family whose references cannot reach the threshold, with "
                   "its best next donor (the worklist).")
@click.option("--threshold", metavar="T", type=click.FloatRange(min=0, min_open=True),
              default=10000.0, show_default=True, help="LR threshold of an identification.")
@click.option("--frequencies", metavar="NAME", default=None,
              help="Stored case: allele-frequency database (default nist1036_all).")
@click.option("--json", "as_json", is_flag=True,
              help="Print homecoming/advice-result@1 JSON instead of a table.")
@click.pass_context
def advise_command(ctx: click.Context, target: str | None, missing: str | None,
                   hypothesis: str | None, all_families: bool, threshold: float,
                   frequencies: str | None, as_json: bool) -> None:
    """Which relative to ask next for a reference sample.

    CASE.json --missing ID: a kinship case file; FAMILY_ID: a missing person of the stored
    case; --all: the worklist of the stored families that cannot reach the threshold.
    """
    from homecoming.services import advice

    if all_families == (target is not None):
        raise InputError("advise: give CASE.json --missing ID, a FAMILY_ID, or --all (one of "
                         "them)", field="target")
    path = Path(target) if target is not None else None
    if path is not None and (target or "").lower().endswith(".json"):
        if missing is None:
            raise InputError(f"advise {target}: --missing ID is needed with a case file",
                             field="missing")
        if not path.exists():
            raise InputError(f"advise: file {target} not found; expected a kinship-case@1 "
                             "file", field="target", value=target)
        doc = advice.case_advice(path, missing=missing, hypothesis=hypothesis,
                                 threshold=threshold)
    else:
        from homecoming.cli.database import open_database

        db = open_database(ctx)
        if all_families:
            from tqdm import tqdm

            bar = tqdm(total=0, unit="family", desc="Advising", file=sys.stderr,
                       disable=None, leave=False)

            def tick(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                doc = advice.register_advice(db, threshold=threshold, frequencies=frequencies,
                                             progress=tick)
            finally:
                bar.close()
        else:
            assert target is not None
            doc = advice.family_advice(db, target, threshold=threshold,
                                       frequencies=frequencies)
    if as_json:
        click.echo(json.dumps(doc, indent=2, allow_nan=False))
    else:
        click.echo(_text(doc))
