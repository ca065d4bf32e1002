"""``homecoming identify --only-new PROFILE_ID [...]``: the output of incremental
identification (:mod:`homecoming.services.incremental`). Names remains codes, missing-person
ids and conclusions only; genotypes are printed nowhere."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from homecoming.cli.database import open_database

__all__ = ["identify_only_new", "echo_run", "IDENTIFY_OPTION", "import_with_identify",
           "echo_import_identify"]


#: conclusions stored as a proposal (status ``proposed``) by store_case_identification
_PROPOSED = ("undisputed", "match by GLR", "symmetric match")


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
                      quiet: bool, store: bool, theta: float, mutation: Any,
                      export_dataset: Path | None = None, dropout: float | None = None,
                      screening: dict[str, Any] | None = None) -> None:
    """Run :func:`~homecoming.services.incremental.identify_incrementally` and print what it
    solved again and stored (``export_dataset``: also write the whole case as identified,
    dvi-dataset@1; ``screening``: the candidate rule, ``min_log10_lr`` and ``top``, where
    not the service's default)."""
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
                                     theta=theta, mutation=mutation, dropout=dropout,
                                     **(screening or {}))
    doc = _plain(run.to_dict())
    if export_dataset is not None:
        atomic_write_text(export_dataset, json.dumps(run.dataset_json(), indent=1) + "\n")
    if output is not None:
        atomic_write_text(output, json.dumps(doc, indent=1, allow_nan=False) + "\n")
    if as_json:
        click.echo(json.dumps(doc, indent=1, allow_nan=False))
        return
    click.echo(f"Database: {db.masked_url}")
    echo_run(run)
    if export_dataset is not None:
        click.echo(f"Wrote the stored case as dvi-dataset@1 to {export_dataset}.")
    if output is not None:
        click.echo(f"Wrote the result to {output}.")


def echo_run(run: Any) -> None:
    """The text of an :class:`~homecoming.services.incremental.IncrementalResult`: the new
    profiles, the groups solved again, each missing person's new conclusion, the new
    proposals and the identifications made stale."""
    click.echo(f"New profile(s): {', '.join(run.profiles)}"
               + (f" (new remains: {', '.join(run.new_remains)})" if run.new_remains else ""))
    rule = run.thresholds
    if "screening_min_log10_lr" in rule:
        click.echo(f"Screening rule: log10 LR >= {rule['screening_min_log10_lr']:g}"
                   + (f" or among a missing person's {rule['screening_top']} best positive"
                      if rule.get("screening_top") else "")
                   + " (--screen-min-log10-lr, --screen-top).")
    if run.full_run is not None:
        click.echo(f"The whole case was identified again: {run.full_run}.")
    else:
        click.echo(f"{len(run.changed_families)} missing person(s) with changed candidate "
                   f"remains; {run.groups_solved} group(s) solved again, everything else "
                   "untouched.")
        for g in run.groups:
            click.echo(f"  group: {', '.join(g['missing_persons'])} | remains "
                       f"{', '.join(g['remains'])}")
    if run.full_run is None:
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
        proposed = [mp for mp, d in sorted(run.identifications.items())
                    if d.get("victim") and d.get("conclusion") in _PROPOSED]
        if s.stored and proposed:
            click.echo(f"New or changed proposals: {', '.join(proposed)} (homecoming review "
                       "queue)")
        if s.stale:
            click.echo(f"Made stale (back in the review queue): {', '.join(s.stale)}")


#: ``--identify`` of the profile importers (import profiles, genemapper, codis)
IDENTIFY_OPTION = click.option(
    "--identify", "identify", is_flag=True,
    help="After the import, identify the imported profiles incrementally (as `homecoming "
         "identify --only-new`, default model): screen them against everything stored, solve "
         "again only the groups they touch, store new versions; prints the new proposals and "
         "the identifications made stale.")


def import_with_identify(ctx: click.Context, run_import: Callable[[Any], Any], *,
                         quiet: bool = False) -> tuple[Any, Any]:
    """Run ``run_import(db)`` (an import use case) and then the incremental identification
    of the profiles it stored, through
    :func:`~homecoming.services.incremental.import_then_identify`; returns (what the import
    returned, the incremental result or None)."""
    from tqdm import tqdm

    from homecoming.services.incremental import import_then_identify

    db = open_database(ctx)
    with tqdm(desc="Identifying", unit="group", disable=quiet, leave=False) as bar:
        def tick(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)
        return import_then_identify(db, lambda: run_import(db), progress=tick)


def echo_import_identify(run: Any) -> None:
    """After an import with ``--identify``: what the identification changed."""
    if run is None:
        click.echo("Identify: the import stored no new profile; nothing to identify.")
        return
    click.echo("Identify (incremental):")
    echo_run(run)
