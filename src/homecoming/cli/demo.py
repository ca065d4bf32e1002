"""``homecoming demo``: load the SYNTHETIC Izium-modelled demonstration into the database.

The work is done by :mod:`homecoming.services.demo`: the scenario is generated
(:func:`homecoming.demo.scenario.generate_scenario`, pure and seeded), stored in one
transaction through the audited repositories, then read back and identified exactly as
``homecoming identify`` does, and compared with the scenario's ground truth.
"""

from __future__ import annotations

import json
from typing import Any

import click

from homecoming.cli.database import open_database

__all__ = ["demo_command"]


class _Progress:
    """tqdm bars (on stderr) for the demo's two stages."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            desc = "Storing the demo" if stage == "store" else "Identifying"
            unit = "record" if stage == "store" else "group"
            bar = self.bars[stage] = tqdm(total=total, desc=desc, unit=unit,
                                          disable=not self.enabled, leave=False)
        bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@click.command("demo")
@click.option("--seed", type=int, default=2022, show_default=True,
              help="Random seed: the same seed gives the same scenario.")
@click.option("--bodies", type=click.IntRange(1, 5000), default=447, show_default=True,
              help="Number of remains (447 reproduces the published breakdown exactly).")
@click.option("--replace", is_flag=True,
              help="Delete a previously loaded demonstration (all SYN- records) first.")
@click.option("--identify/--no-identify", default=True, show_default=True,
              help="Identify the stored demo (as `homecoming identify` does) and score it "
                   "against the synthetic ground truth.")
@click.option("--workflow", is_flag=True,
              help="Also take it through review and release with SYNTHETIC accounts (one per "
                   "role), give each a new random password and print them once (afterwards "
                   "writing commands need HOMECOMING_USER=syn-admin or another account).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.pass_context
def demo_command(ctx: click.Context, seed: int, bodies: int, replace: bool, identify: bool,
                 as_json: bool, workflow: bool = False) -> None:
    """Load a SYNTHETIC demonstration case modelled on the Izium exhumation (Sept 2022).

    One forest burial site with about 440 graves under numbered crosses (a few mass graves,
    a mined area), 447 remains with post-mortem examinations (215 women, 194 men, 5 children,
    22 military, 11 of undetermined sex, as publicly reported), several hundred missing-person
    reports with families of 1-4 typed relatives, samples with custody events, and STR
    profiles simulated from published allele frequencies (STRidER Poland, NIST 1036).
    Every record is invented and labelled SYNTHETIC; nothing describes a real person.

    The database is created or upgraded first. Loading twice is refused unless --replace.
    """
    from homecoming.services.demo import load_demo

    progress = _Progress(not as_json)
    try:
        summary = load_demo(open_database(ctx, create=True), seed=seed, bodies=bodies,
                            replace=replace, identify=identify, progress=progress)
    finally:
        progress.close()
    if workflow:  # issue 11: services.review.demo_workflow (accounts, review, release)
        from homecoming.services.review import DEMO_ADMIN, demo_workflow, set_demo_passwords

        db = open_database(ctx)
        summary["workflow"] = demo_workflow(db)
        # issue 12 item 2: the demo's (only) credentials, random, shown once, never stored
        summary["workflow"]["passwords"] = set_demo_passwords(db)
        summary["workflow"]["cli_user"] = DEMO_ADMIN
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    _print_summary(summary)


def _print_summary(s: dict[str, Any]) -> None:
    c, b = s["counts"], s["breakdown"]
    echo = click.echo
    if s["records_removed"]:
        echo(f"Removed the previous demonstration ({s['records_removed']} records).")
    echo(f"Loaded the SYNTHETIC demonstration (seed {s['seed']}) into {s['database']} "
         f"in {s['seconds']:.1f} s: {s['records_stored']} records, every one labelled SYNTHETIC.")
    echo("Modelled on the published Izium figures (Sept 2022); all people and records are "
         "invented.")
    echo(f"  site: 1 forest burial site, {c['hazard_areas']} mined hazard area (not cleared), "
         f"{c['graves']} graves under numbered crosses")
    echo(f"  remains: {c['remains']} ({b['women']} women, {b['men']} men, {b['children']} "
         f"children, {b['military']} military, {b['undetermined_sex']} of undetermined sex), "
         f"{c['examinations']} post-mortem examinations")
    mech = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s["mechanisms"].items())
    echo(f"  mechanism of death: {mech}")
    echo(f"  missing persons: {c['missing_persons']} ({s['missing_persons_not_in_site']} not in "
         f"this site), {c['donors']} reference donors; {s['bodies_without_family_report']} "
         "bodies with no family report")
    echo(f"  samples: {c['samples']} with {c['custody_events']} custody events; "
         f"{c['profiles']} STR profiles (23 loci, simulated)")
    ident = s.get("identification", "absent")
    if ident != "absent" and "error" in ident:
        echo(f"Identification stopped (the demonstration is stored): {ident['error']}", err=True)
    elif ident != "absent":
        echo(f"Identification ({ident['components']} groups of families and candidate remains, "
             f"{ident['seconds']:.1f} s): {ident['identified']} missing persons identified, "
             f"{ident['correct']} correct and {ident['wrong']} wrong against the synthetic "
             f"ground truth ({ident['identifiable']} identifiable: typed body with a typed "
             "family).")
        concl = ", ".join(f"{k} {v}" for k, v in ident["conclusions"].items())
        echo(f"  conclusions per missing person: {concl}")
    w = s.get("workflow")
    if w:
        echo(f"Workflow (SYNTHETIC accounts {', '.join(w['accounts'])}): {w['confirmed']} "
             f"identifications confirmed by two reviewers, {w['reviewed']} reviewed, "
             f"{w['pending']} pending; {w['notified']} families told, {w['released']} remains "
             "released.")
        _print_accounts(w)
    echo("Next: `homecoming stats` for the counts.")


def _print_accounts(w: dict[str, Any]) -> None:
    """The SYNTHETIC accounts and their new random passwords (printed this once only)."""
    rows = w.get("passwords") or []
    if not rows:
        return
    echo = click.echo
    echo("SYNTHETIC demonstration accounts (log in at the web application; new random "
         "passwords, shown only now):")
    width = max(len(r["name"]) for r in rows)
    role_width = max(len(", ".join(r["roles"])) for r in rows)
    for r in rows:
        state = "" if r["active"] else "  (disabled)"
        echo(f"  {r['name']:<{width}}  {', '.join(r['roles']):<{role_width}}  "
             f"{r['password']}{state}")
    echo(f"Command-line writes on this database: export HOMECOMING_USER={w['cli_user']} "
         "(or another account above with the role needed).")
