"""``homecoming notify ID ...`` and ``homecoming release ID ...`` (liaison officers)."""

from __future__ import annotations

import click

from homecoming.cli.database import open_database

METHODS = ("in-person", "phone", "letter", "video")


@click.command("notify")
@click.argument("ident_id", metavar="ID")
@click.option("--contact", required=True, metavar="DONOR_ID",
              help="The relative who was told (a donor id of the family).")
@click.option("--method", required=True, type=click.Choice(METHODS), help="How.")
@click.option("--on", "on", required=True, metavar="DATE", help="When (YYYY-MM-DD).")
@click.option("--note", default=None, help="A note (kept with the record).")
@click.pass_context
def notify_command(ctx: click.Context, ident_id: str, contact: str, method: str, on: str,
                   note: str | None) -> None:
    """Record that the family was told of the confirmed identification ID."""
    from homecoming.services.release import notify

    with open_database(ctx).session() as session:
        rec = notify(session, ident_id, contact=contact, method=method, on=on, note=note)
    click.echo(f"Recorded: {contact} told of {ident_id} ({method}, {rec['notified_on']}).")


@click.command("release")
@click.argument("ident_id", metavar="ID")
@click.option("--to", "to", required=True, metavar="DONOR_ID",
              help="The relative who receives the remains (a donor id of the family).")
@click.option("--on", "on", required=True, metavar="DATE", help="When (YYYY-MM-DD).")
@click.option("--documents", default=None, help="Documents handed over.")
@click.pass_context
def release_command(ctx: click.Context, ident_id: str, to: str, on: str,
                    documents: str | None) -> None:
    """Record the release of the remains of the confirmed identification ID to the family
    (closes the chain of custody; the remains become 'released')."""
    from homecoming.services.release import release

    with open_database(ctx).session() as session:
        rec = release(session, ident_id, to=to, on=on, documents=documents)
    click.echo(f"Released remains {rec['remains_code']} to {to} on {rec['released_on']} "
               f"(custody event {rec['custody_event_id']}).")
