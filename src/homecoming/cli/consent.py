"""``homecoming consent withdraw|list``: a reference donor's consent withdrawal
(services.consent): recorded and audited; from its date the donor's profiles are left out
of screening and identification, and identifications that used them are flagged."""

from __future__ import annotations

import json

import click

from homecoming.cli.database import open_database

__all__ = ["consent_group"]


@click.group("consent")
def consent_group() -> None:
    """Donor consent: record a withdrawal (profiles left out from then on), list them."""


@consent_group.command("withdraw")
@click.argument("donor_id")
@click.option("--on", "on", metavar="DATE", default=None,
              help="Date the withdrawal takes effect (YYYY-MM-DD; default today).")
@click.option("--reason", required=True, help="Why the consent was withdrawn.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.pass_context
def withdraw_command(ctx: click.Context, donor_id: str, on: str | None, reason: str,
                     as_json: bool) -> None:
    """Record that donor DONOR_ID withdrew consent: from that date the donor's profiles are
    left out of screening and identification; reviewed or confirmed identifications that
    used them become stale (for review)."""
    from homecoming.services.consent import withdraw_consent

    db = open_database(ctx)
    db.require_current()
    with db.session() as session:
        result = withdraw_consent(session, donor_id, on=on, reason=reason)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=1))
        return
    click.echo(f"Recorded: donor {donor_id} withdrew consent from "
               f"{result.withdrawn_on.isoformat()}; {len(result.profiles)} profile(s) left out "
               "of screening and identification from then on.")
    if result.stale:
        click.echo(f"Marked stale for review: {', '.join(result.stale)}.")
    if result.proposed:
        click.echo(f"Proposed identifications that used the reference (the next identify "
                   f"run leaves it out): {', '.join(result.proposed)}.")


@consent_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the withdrawals as JSON.")
@click.pass_context
def list_command(ctx: click.Context, as_json: bool) -> None:
    """Every recorded consent withdrawal."""
    from homecoming.services.consent import list_withdrawals

    db = open_database(ctx)
    db.require_current()
    with db.session() as session:
        rows = list_withdrawals(session)
    if as_json:
        click.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    if not rows:
        click.echo("No consent withdrawals recorded.")
    for r in rows:
        click.echo(f"{r['donor']}  from {r['withdrawn_on']}  recorded by {r['recorded_by']}: "
                   f"{r['reason']}")
