"""``homecoming users add|list|disable``: accounts and their roles.

The acting person is ``HOMECOMING_USER`` (else the operating-system user). While the database
has no account every command works as before; the first account must hold the admin role, and
from then on writing commands need an active account whose role allows them (the permission
table: ``homecoming.casework.accounts.PERMISSIONS``, docs/reference/permissions.md).
"""

from __future__ import annotations

import json

import click

from homecoming.casework.accounts import Role
from homecoming.cli.database import open_database

ROLE_NAMES = [r.value for r in Role]


@click.group("users")
def users_group() -> None:
    """Accounts and roles (field, pathologist, lab, analyst, board, liaison, investigator,
    monitor, admin)."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(ROLE_NAMES, case_sensitive=False),
              help="A role of the account (repeat for several).")
@click.option("--display-name", default=None, help="Full name shown in reports.")
@click.pass_context
def users_add(ctx: click.Context, name: str, roles: tuple[str, ...],
              display_name: str | None) -> None:
    """Create the account NAME with one or more --role."""
    from homecoming.services.accounts import add_user

    db = open_database(ctx)
    with db.session() as session:
        account = add_user(session, name, roles, display_name=display_name)
    click.echo(f"Account {account.name} added ({', '.join(account.roles)}).")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """List the accounts."""
    from homecoming.services.accounts import list_users

    db = open_database(ctx)
    with db.session() as session:
        accounts = list_users(session)
    if as_json:
        click.echo(json.dumps([a.to_dict() for a in accounts], indent=1))
        return
    if not accounts:
        click.echo("No accounts: every command is allowed to the operator "
                   "(homecoming users add NAME --role admin starts the permission checks).")
        return
    width = max(len(a.name) for a in accounts)
    for a in accounts:
        state = "active" if a.active else "disabled"
        click.echo(f"{a.name:<{width}}  {state:<8}  {', '.join(a.roles)}")


@users_group.command("disable")
@click.argument("name")
@click.pass_context
def users_disable(ctx: click.Context, name: str) -> None:
    """Disable the account NAME (kept for the audit trail)."""
    from homecoming.services.accounts import disable_user

    db = open_database(ctx)
    with db.session() as session:
        disable_user(session, name)
    click.echo(f"Account {name} disabled.")
