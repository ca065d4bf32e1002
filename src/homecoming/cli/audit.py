"""``homecoming audit verify|anchor|log|grant``: the tamper-evident audit trail.

``verify`` exits 1 and names every modified, deleted, inserted or reordered entry and every
record changed outside the application; ``anchor`` prints the head hash, count and time for an
outside notary (``verify --anchor COUNT:HASH`` proves the chain still passes through it).
"""

from __future__ import annotations

import json
import sys

import click

from homecoming.cli.database import open_database

__all__ = ["audit_group"]


@click.group("audit")
def audit_group() -> None:
    """The tamper-evident audit trail: verify, anchor, log."""


@audit_group.command("verify")
@click.option("--anchor", "anchored", metavar="COUNT:HASH",
              help="A head printed earlier by `homecoming audit anchor`: it must still be on "
                   "the chain.")
@click.option("--chain-only", is_flag=True, help="Check the chain only, not the records.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def verify_command(ctx: click.Context, anchored: str | None, chain_only: bool,
                   as_json: bool) -> None:
    """Check the hash chain of the audit trail and every stored record against its latest
    audited digest. Exit status 1 if anything was tampered with."""
    from homecoming.services.audit import verify

    db = open_database(ctx)
    db.require_current()
    with db.session() as session:
        result = verify(session, anchor=anchored, records=not chain_only)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=1))
    else:
        for problem in result.problems:
            click.echo(f"TAMPERED: {problem.message}")
        state = "intact" if result.ok else f"{len(result.problems)} problem(s)"
        click.echo(f"Audit trail of {db.masked_url}: {result.entries} entries, "
                   f"{result.records} records checked, head {result.head_seq}:"
                   f"{result.head_hash or '-'}: {state}.")
    if not result.ok:
        sys.exit(1)


@audit_group.command("anchor")
@click.option("--json", "as_json", is_flag=True, help="Print the anchor as JSON.")
@click.pass_context
def anchor_command(ctx: click.Context, as_json: bool) -> None:
    """Print the head of the chain (count, hash, time) to hand to an outside notary."""
    from homecoming.services.audit import anchor

    db = open_database(ctx)
    db.require_current()
    with db.session() as session:
        head = anchor(session)
    if as_json:
        click.echo(json.dumps(head, indent=1))
        return
    click.echo(f"{head['count']}:{head['head_hash']}  {head['at']}")


@audit_group.command("grant")
@click.argument("role")
@click.pass_context
def grant_command(ctx: click.Context, role: str) -> None:
    """PostgreSQL: let the application's database ROLE read and write records and append to
    the audit trail, but never change or delete audit entries (run as the owner role)."""
    from homecoming.services.audit import grant_application_role

    db = open_database(ctx)
    db.require_current()
    with db.session() as session:
        done = grant_application_role(session, role)
    for statement in done:
        click.echo(statement + ";")


def _register_log() -> None:
    from homecoming.cli.records import audit_log_command

    audit_group.add_command(audit_log_command, "log")


_register_log()
