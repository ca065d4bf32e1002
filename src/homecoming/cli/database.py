"""``homecoming init`` and ``homecoming stats``: create/upgrade the database, count records."""

from __future__ import annotations

import json
from typing import Any

import click

__all__ = ["init_command", "stats_command", "open_database", "database_url"]


def open_database(ctx: click.Context, *, create: bool = False,
                  require_current: bool = True) -> Any:
    """The Database for this command: ``--database`` / HOMECOMING_DATABASE_URL, else the
    per-user SQLite file (:func:`homecoming.services.database.open_database`: nothing is
    created unless ``create``)."""
    from homecoming.services.database import open_database as open_db

    return open_db(database_url(ctx), create=create, require_current=require_current)


def database_url(ctx: click.Context) -> str | None:
    """The URL given with ``--database`` (or the environment), None for the default."""
    obj = ctx.find_root().obj or {}
    url = obj.get("database_url")
    return str(url) if url else None


@click.command("init")
@click.pass_context
def init_command(ctx: click.Context) -> None:
    """Create the database, or upgrade it to the newest schema.

    Safe to run again: an up-to-date database is left as it is.
    """
    from homecoming.services.database import init_database

    result = init_database(database_url(ctx))
    click.echo(f"Database {result.database} {result.state}.")


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


def count_labels() -> dict[str, str]:
    """The readable label of every count ``homecoming stats`` prints (the casework models'
    per-status labels are imported here, not with the module: see ``identify`` start-up)."""
    from homecoming.casework.identifications import status_count_labels

    return {**_LABELS, **status_count_labels()}  # identifications and remains by status


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@click.pass_context
def stats_command(ctx: click.Context, as_json: bool) -> None:
    """Count the records in the database (sites, graves, remains, missing persons, …)."""
    from homecoming.services.database import database_counts

    db = open_database(ctx)
    counts = database_counts(db)
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    click.echo(f"Database {db.masked_url}")
    labels = count_labels()
    width = max(len(label) for label in labels.values())
    for key, n in counts.items():
        click.echo(f"  {labels.get(key, key):<{width}}  {n:>8}")
