"""``homecoming review accept|confirm|reject|queue``: four-eyes review of identifications."""

from __future__ import annotations

import json

import click

from homecoming.cli.database import open_database
from homecoming.cli.identifications import fmt_lr, table


@click.group("review")
def review_group() -> None:
    """Review stored identifications: accept (analyst), confirm (board), reject."""


def _done(result: dict, verb: str) -> None:
    click.echo(f"Identification {result['id']} {verb}: now {result['status']}.")


@review_group.command("accept")
@click.argument("ident_id", metavar="ID")
@click.option("--note", default=None, help="Why (kept in the review record).")
@click.pass_context
def accept_command(ctx: click.Context, ident_id: str, note: str | None) -> None:
    """Accept a proposed identification (an analyst other than the one who ran it)."""
    from homecoming.services.review import accept

    with open_database(ctx).session() as session:
        _done(accept(session, ident_id, note=note), "accepted")


@review_group.command("confirm")
@click.argument("ident_id", metavar="ID")
@click.option("--note", default=None, help="Why (kept in the review record).")
@click.pass_context
def confirm_command(ctx: click.Context, ident_id: str, note: str | None) -> None:
    """Confirm a reviewed identification (a board member who neither ran nor accepted it)."""
    from homecoming.services.review import confirm

    with open_database(ctx).session() as session:
        _done(confirm(session, ident_id, note=note), "confirmed")


@review_group.command("reject")
@click.argument("ident_id", metavar="ID")
@click.option("--reason", required=True, help="Why it is rejected (required).")
@click.pass_context
def reject_command(ctx: click.Context, ident_id: str, reason: str) -> None:
    """Reject a proposed or reviewed identification."""
    from homecoming.services.review import reject

    with open_database(ctx).session() as session:
        _done(reject(session, ident_id, reason=reason), "rejected")


@review_group.command("queue")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def queue_command(ctx: click.Context, as_json: bool) -> None:
    """List the identifications waiting for the acting person."""
    from homecoming.services.review import review_queue

    with open_database(ctx).session() as session:
        rows = review_queue(session)
    if as_json:
        click.echo(json.dumps(rows, indent=1, default=str))
        return
    if not rows:
        click.echo("Nothing waits for you.")
        return
    click.echo(table(["id", "missing", "remains", "LR", "status", "waiting for"],
                     [[r["id"], r["missing_person"], r["remains"] or "-", fmt_lr(r["lr"]),
                       r["status"], r["waiting_for"]
                       + (f" (replaces stale {r['replaces_stale']})"
                          if r.get("replaces_stale") else "")] for r in rows]))
