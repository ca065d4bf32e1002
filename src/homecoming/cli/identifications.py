"""``homecoming identifications list|runs|show``: the stored identifications (every version)
and the runs that stored them."""

from __future__ import annotations

import json
import math

import click

from homecoming.casework.identifications import IdentificationStatus
from homecoming.cli.database import open_database

STATUSES = [s.value for s in IdentificationStatus]


def fmt_lr(x: float | None) -> str:
    if x is None:
        return "-"
    if not math.isfinite(x):
        return "inf"
    return f"{x:.4g}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


@click.group("identifications")
def identifications_group() -> None:
    """Stored identifications: one version per missing person per changed run."""


@identifications_group.command("list")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@click.option("--search", default=None, help="Text in the id, missing person or remains.")
@click.option("--latest", is_flag=True, help="Only the newest version per missing person.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def list_command(ctx: click.Context, status: str | None, search: str | None, latest: bool,
                 as_json: bool) -> None:
    """List stored identifications (id, missing person, remains, status, conclusion, LR)."""
    from homecoming.services.identifications import list_identifications

    db = open_database(ctx)
    with db.session() as session:
        rows = list_identifications(session, status=status, search=search, latest_only=latest)
    if as_json:
        click.echo(json.dumps(rows, indent=1, allow_nan=False, default=str))
        return
    if not rows:
        click.echo("No stored identifications" + (f" with status {status}" if status else "")
                   + ".")
        return
    click.echo(table(["id", "missing", "remains", "status", "conclusion", "LR"],
                     [[r["id"], r["missing_person"], r["remains"] or "-", r["status"],
                       r["conclusion"], fmt_lr(r["lr"])] for r in rows]))
    click.echo(f"{len(rows)} identification version(s).")


@identifications_group.command("runs")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="The newest this many runs.")
@click.option("--all", "every", is_flag=True, help="Every recorded run (overrides --limit).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def runs_command(ctx: click.Context, limit: int, every: bool, as_json: bool) -> None:
    """List the identification runs, newest first: who ran them and when, the screening rule,
    the drop-out probability, and how many identifications each stored, kept or made stale.
    A run that changed nothing is listed too (its rule is the next run's default)."""
    from homecoming.services.identifications import list_runs

    db = open_database(ctx)
    with db.session() as session:
        rows = list_runs(session, limit=None if every else limit)
    if as_json:
        click.echo(json.dumps(rows, indent=1, allow_nan=False))
        return
    if not rows:
        click.echo("No recorded identification runs.")
        return

    def rule(r: dict) -> str:
        if r["screening_min_log10_lr"] is None:
            return "-"
        return f"{r['screening_min_log10_lr']:g} / {r['screening_top']}"

    click.echo(table(["run", "at", "by", "rule (log10 LR / top)", "drop-out", "stored",
                      "unchanged", "stale"],
                     [[r["run_id"], r["created_at"][:19], r["run_by"], rule(r),
                       f"{r['dropout']:g}", str(r["outcome"].get("stored", "-")),
                       str(r["outcome"].get("unchanged", "-")),
                       str(r["outcome"].get("stale", "-"))] for r in rows]))
    click.echo(f"{len(rows)} run(s).")


@identifications_group.command("show")
@click.argument("ident_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--ancestry", is_flag=True,
              help="Also recompute the LR with several shipped frequency databases: the "
                   "range and the conservative (minimum) value.")
@click.option("--databases", metavar="NAME,...", default=None,
              help="With --ancestry: these shipped frequency databases (default: the "
                   "continental and pooled populations).")
@click.pass_context
def show_command(ctx: click.Context, ident_id: str, as_json: bool, ancestry: bool,
                 databases: str | None) -> None:
    """Show one stored identification: LR per marker, model, runner-ups, review history."""
    from homecoming.services.identifications import ancestry_lrs, get_identification

    db = open_database(ctx)
    with db.session() as session:
        d = get_identification(session, ident_id)
    if ancestry:
        d["ancestry"] = ancestry_lrs(db, ident_id, databases=[
            x.strip() for x in databases.split(",") if x.strip()] if databases else None)
    if as_json:
        click.echo(json.dumps(d, indent=1, default=str))
        return
    m = d["model"]
    lines = [
        f"Identification {d['id']} (version {d['version']}, run {d['run_id']} by "
        f"{d['run_by']}, {d['created_at']})",
        f"  missing person  {d['missing_person']}",
        f"  remains         {d['remains'] or '-'}",
        f"  status          {d['status']}",
        f"  conclusion      {d['conclusion']}" + (f" ({d['comment']})" if d["comment"] else ""),
        f"  LR              {fmt_lr(d['lr'])}",
        f"  posterior       {'-' if d['posterior'] is None else format(d['posterior'], '.6g')}"
        f" (prior {d['prior']:.3g})",
        f"  frequencies     {m['frequencies']['name']} (sha256 {m['frequencies']['sha256']})",
        f"  mutation        {m['mutation']}",
        f"  theta           {m['theta']}; drop-out {m['dropout']}",
    ]
    if m.get("loci_left_out"):
        lines.append(f"  loci left out   {', '.join(m['loci_left_out'])} (not in the table)")
    if d["changes"] and d["changes"] != {"new": True}:
        lines.append(f"  changed         {json.dumps(d['changes'], default=str)}")
    if m.get("lineage"):
        lin = m["lineage"]
        lines.append(f"  lineage         autosomal LR {fmt_lr(lin.get('autosomal_lr'))} x "
                     + " x ".join(f"{k} {fmt_lr(lin[k]['lr'])} ({lin[k]['count']} of "
                                  f"{lin[k]['database_size']} references)"
                                  for k in ("y", "mtdna") if lin.get(k)
                                  and lin[k].get("lr") is not None)
                     + f"; {lin['combination']}")
    if d["per_marker"]:
        lines.append("")
        lines.append(table(["locus", "LR"], [[k, fmt_lr(v)] for k, v in d["per_marker"].items()]))
    if d.get("ancestry"):
        a = d["ancestry"]
        lines.append("")
        lines.append("LR by frequency database (ancestry-robust: " + (
            f"range {fmt_lr(a['range'][0])} to {fmt_lr(a['range'][1])}, conservative "
            f"{fmt_lr(a['conservative_lr'])} with {a['conservative_database']})"
            if a["range"] else "no database has every locus of the stored LR)"))
        lines.append(table(["database", "population", "LR", "loci"], [
            [r["database"], r["population"], fmt_lr(r["lr"]),
             str(r["loci"]) + ("" if r["comparable"] else
                               f" (lacks {len(r['missing_loci'])}: not compared)")]
            for r in a["databases"]]))
    if d["runner_ups"]:
        lines.append("")
        lines.append("Runner-up remains (pairwise screening, log10 LR summed over relatives)")
        lines += [f"  {r['remains']}  {r['screening_log10_lr']:.2f}" for r in d["runner_ups"]]
    if d["review"]:
        lines.append("")
        lines.append("Review")
        lines += [f"  {e['at']}  {e['actor']}  {e['action']}: {e['from']} -> {e['to']}"
                  + (f"  ({e['note']})" if e["note"] else "") for e in d["review"]]
    click.echo("\n".join(lines))
