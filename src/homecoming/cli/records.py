"""``homecoming list KIND``, ``homecoming show KIND ID`` and ``homecoming audit log``: every
stored record visible from the command line."""

from __future__ import annotations

import json
from typing import Any

import click

from homecoming.cli.database import open_database
from homecoming.cli.identifications import table

KIND_NAMES = ["sites", "hazard-areas", "graves", "exhumations", "incidents", "remains",
              "examinations", "samples", "custody-events", "missing-persons", "donors",
              "profiles", "staff-profiles", "candidates", "identifications"]

#: the columns the text listing shows per kind (JSON has every field)
_COLUMNS: dict[str, list[str]] = {
    "sites": ["id", "name", "verification_status", "reported_on"],
    "hazard-areas": ["id", "site_id", "hazard", "cleared"],
    "graves": ["id", "site_id", "label", "grave_type", "status"],
    "exhumations": ["id", "grave_id", "started_on", "ended_on", "method"],
    "incidents": ["id", "occurred_on", "place", "weapon_class"],
    "remains": ["code", "kind", "grave_id", "recovered_on", "condition", "status"],
    "examinations": ["id", "remains_code", "examined_on", "sex", "mechanism", "manner"],
    "samples": ["barcode", "source", "remains_code", "donor_id", "element", "result_status"],
    "custody-events": ["id", "item_kind", "item_id", "from_party", "to_party", "occurred_at"],
    "missing-persons": ["id", "surname", "given_name", "birth_date", "sex", "status"],
    "donors": ["id", "missing_person_id", "full_name", "relationship", "consent"],
    "profiles": ["sample_barcode", "kit", "laboratory", "quality", "typed_on", "loci_typed"],
    "staff-profiles": ["staff_code", "kit", "laboratory", "quality", "loci_typed"],
    "candidates": ["pm_barcode", "ref_barcode", "relationship", "log10_lr"],
    "identifications": ["id", "missing_person", "remains", "status", "conclusion", "lr"],
}


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


@click.command("list")
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.option("--status", default=None, help="Only records with this status.")
@click.option("--search", default=None, help="Only records containing this text.")
@click.option("--genotypes", is_flag=True,
              help="profiles / staff-profiles: include genotypes (the read is logged).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N records.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def list_command(ctx: click.Context, kind: str, status: str | None, search: str | None,
                 genotypes: bool, limit: int | None, as_json: bool) -> None:
    """List the stored records of one KIND."""
    from homecoming.services.records import list_records

    with open_database(ctx).session() as session:
        rows = list_records(session, kind, status=status, search=search, genotypes=genotypes,
                            limit=limit)
    if as_json:
        click.echo(json.dumps(rows, indent=1, ensure_ascii=False, default=str))
        return
    if not rows:
        click.echo(f"No {kind}.")
        return
    columns = _COLUMNS[kind] + (["genotypes"] if genotypes else [])
    click.echo(table(columns, [[_cell(r.get(c)) for c in columns] for r in rows]))
    click.echo(f"{len(rows)} {kind}.")


@click.command("show")
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.argument("key", metavar="ID")
@click.option("--genotypes", is_flag=True,
              help="profiles / staff-profiles: include genotypes (the read is logged).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def show_command(ctx: click.Context, kind: str, key: str, genotypes: bool,
                 as_json: bool) -> None:
    """Show one stored record of KIND (samples and remains with their chain of custody)."""
    from homecoming.services.records import show_record

    with open_database(ctx).session() as session:
        data = show_record(session, kind, key, genotypes=genotypes)
    if as_json:
        click.echo(json.dumps(data, indent=1, ensure_ascii=False, default=str))
        return
    width = max(len(k) for k in data)
    for name, value in data.items():
        if isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False, default=str)
        click.echo(f"{name:<{width}}  {value if value is not None else '-'}")


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("log")
@click.option("--record", default=None, metavar="ID", help="Only this record's entries.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def audit_log_command(ctx: click.Context, record: str | None, as_json: bool) -> None:
    """Who changed (and, for genotypes, read) what, and when."""
    from homecoming.services.records import audit_log

    with open_database(ctx).session() as session:
        rows = audit_log(session, record=record)
    if as_json:
        click.echo(json.dumps(rows, indent=1, ensure_ascii=False, default=str))
        return
    if not rows:
        click.echo("No audit entries.")
        return
    click.echo(table(["at", "user", "table", "record", "action"],
                     [[r["at"][:19], r["user"], r["table"], r["record"], r["action"]]
                      for r in rows]))
