"""``homecoming custody add|show``: chain of custody transfers and an item's timeline with
its breaks (services.custody)."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from homecoming.cli.database import open_database

__all__ = ["custody_group"]


@click.group("custody")
def custody_group() -> None:
    """Chain of custody: record transfers, show an item's timeline and its breaks."""


@custody_group.command("add")
@click.argument("item")
@click.option("--from", "from_party", required=True, help="Who handed the item over.")
@click.option("--to", "to_party", required=True, help="Who received it.")
@click.option("--at", "occurred_at", required=True, metavar="DATETIME",
              help="When (ISO, e.g. 2022-09-20T14:30+03:00; no zone: UTC).")
@click.option("--reason", required=True, help="Why (e.g. 'transport to the laboratory').")
@click.option("--location", default=None, help="Where.")
@click.option("--kind", "item_kind", type=click.Choice(["sample", "remains", "effect",
                                                        "digital"]),
              help="Item kind (found from the bar-code for samples and remains).")
@click.option("--sha256", default=None, help="Hash of a digital item at capture.")
@click.option("--id", "event_id", default=None, help="Event id (default CE-ITEM-NNN).")
@click.option("--final", type=click.Choice(["consumed", "released", "destroyed"]),
              help="This transfer ends the item's chain.")
@click.pass_context
def add_command(ctx: click.Context, item: str, from_party: str, to_party: str,
                occurred_at: str, reason: str, location: str | None, item_kind: str | None,
                sha256: str | None, event_id: str | None, final: str | None) -> None:
    """Record one transfer of ITEM (a sample bar-code or remains code)."""
    from homecoming.services.custody import add_transfer

    db = open_database(ctx)
    db.require_current()
    with db.session() as session:
        event = add_transfer(session, item, from_party=from_party, to_party=to_party,
                             occurred_at=occurred_at, reason=reason, item_kind=item_kind,
                             location=location, sha256=sha256, event_id=event_id, final=final)
    click.echo(f"Recorded {event.id}: {item} from {from_party} to {to_party} at "
               f"{event.occurred_at.isoformat()}.")


@custody_group.command("show")
@click.argument("item")
@click.option("--max-gap-days", default=30, show_default=True, type=click.IntRange(1),
              help="Report a break when two transfers are further apart.")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if the chain has breaks.")
@click.pass_context
def show_command(ctx: click.Context, item: str, max_gap_days: int, as_json: bool,
                 strict: bool) -> None:
    """The chain of custody of ITEM, oldest transfer first, and its breaks."""
    from homecoming.services.custody import timeline

    db = open_database(ctx)
    db.require_current()
    with db.session() as session:
        result = timeline(session, item, max_gap=dt.timedelta(days=max_gap_days))
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=1, ensure_ascii=False, default=str))
    else:
        click.echo(f"Chain of custody of {item} ({result.item_kind}):")
        for e in result.events:
            click.echo(f"  {e['occurred_at'][:16]}  {e['id']}  {e['from_party']} -> "
                       f"{e['to_party']}  ({e['reason']})")
        for b in result.breaks:
            click.echo(f"BREAK ({b.kind}): {b.message}")
        if not result.breaks:
            click.echo("No breaks.")
    if strict and result.breaks:
        sys.exit(1)
