"""``homecoming identify --only-new PROFILE_ID [...]``: the output of incremental
identification (:mod:`homecoming.services.incremental`). Names remains codes, missing-person
ids and conclusions only; genotypes are printed nowhere."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from homecoming.cli.database import open_database

__all__ = ["identify_only_new"]


def _plain(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


def identify_only_new(ctx: click.Context, profile_ids: Sequence[str], cfg: Any, *,
                      frequency_name: str | None, as_json: bool, output: Path | None,
                      quiet: bool, store: bool, theta: float, mutation: Any) -> None:
    """Run :func:`~homecoming.services.incremental.identify_incrementally` and print what it
    solved again and stored."""
    from tqdm import tqdm

    from homecoming.formats.registry import atomic_write_text
    from homecoming.services.incremental import identify_incrementally

    db = open_database(ctx)
    with tqdm(desc="Identifying", unit="group", disable=quiet or as_json, leave=False) as bar:
        def tick(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)
        run = identify_incrementally(db, profile_ids=list(profile_ids), config=cfg,
                                     frequencies=frequency_name, progress=tick, store=store,
                                     theta=theta, mutation=mutation)
    doc = _plain(run.to_dict())
    if output is not None:
        atomic_write_text(output, json.dumps(doc, indent=1, allow_nan=False) + "\n")
    if as_json:
        click.echo(json.dumps(doc, indent=1, allow_nan=False))
        return
    click.echo(f"Database: {db.masked_url}")
    click.echo(f"New profile(s): {', '.join(run.profiles)}"
               + (f" (new remains: {', '.join(run.new_remains)})" if run.new_remains else ""))
    if run.full_run is not None:
        click.echo(f"The whole case was identified again: {run.full_run}.")
    else:
        click.echo(f"{len(run.changed_families)} missing person(s) with changed candidate "
                   f"remains; {run.groups_solved} group(s) solved again, everything else "
                   "untouched.")
        for g in run.groups:
            click.echo(f"  group: {', '.join(g['missing_persons'])} | remains "
                       f"{', '.join(g['remains'])}")
    for mp, d in sorted(run.identifications.items()):
        lr = d.get("lr")
        click.echo(f"  {mp}: {d.get('victim') or '-'}  LR "
                   f"{'-' if lr is None else f'{lr:.4g}'}  {d.get('conclusion')}")
    for w in run.warnings:
        click.echo(f"Warning: {w}")
    if run.stored is not None:
        s = run.stored
        click.echo(f"Stored {len(s.stored)} new identification version(s) (run {s.run_id}; "
                   f"{len(s.unchanged)} unchanged, {len(s.stale)} made stale): homecoming "
                   "identifications list")
    if output is not None:
        click.echo(f"Wrote the result to {output}.")
