"""``homecoming init`` and ``homecoming stats``: create/upgrade the database, count records."""

from __future__ import annotations

import json

import click

__all__ = ["init_command", "stats_command", "open_database"]


def open_database(ctx: click.Context):  # type: ignore[no-untyped-def]
    """The Database for this command: ``--database`` / HOMECOMING_DATABASE_URL, else the
    per-user SQLite file."""
    from homecoming import settings
    from homecoming.storage import Database

    obj = ctx.find_root().obj or {}
    given = obj.get("database")
    if given is not None and not isinstance(given, str):
        return given  # a Database already opened by a caller
    url = given or obj.get("database_url") or settings.database_url()
    return Database(url)


@click.command("init")
@click.pass_context
def init_command(ctx: click.Context) -> None:
    """Create the database, or upgrade it to the newest schema.

    Safe to run again: an up-to-date database is left as it is.
    """
    db = open_database(ctx)
    before = db.current_revision()
    db.upgrade()
    after = db.current_revision()
    if before == after:
        state = f"is up to date (schema revision {after})"
    elif before is None:
        state = f"created (schema revision {after})"
    else:
        state = f"upgraded from schema revision {before} to {after}"
    click.echo(f"Database {db.masked_url} {state}.")


#: what each count means, in the order stats prints them
_LABELS = {
    "sites": "burial sites",
    "hazard_areas": "hazard areas",
    "graves": "graves",
    "exhumations": "exhumations",
    "incidents": "incidents",
    "remains": "remains",
    "examinations": "post-mortem examinations",
    "missing_persons": "missing persons",
    "donors": "reference donors",
    "samples": "samples",
    "custody_events": "custody events",
    "profiles": "DNA profiles",
    "candidates": "screening candidates",
    "staff_profiles": "staff (elimination) profiles",
    "elimination_flags": "contamination flags",
    "audit_records": "audit records",
}


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@click.pass_context
def stats_command(ctx: click.Context, as_json: bool) -> None:
    """Count the records in the database (sites, graves, remains, missing persons, …)."""
    db = open_database(ctx)
    counts = db.counts()
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    click.echo(f"Database {db.masked_url}")
    width = max(len(label) for label in _LABELS.values())
    for key, n in counts.items():
        click.echo(f"  {_LABELS.get(key, key):<{width}}  {n:>8}")
