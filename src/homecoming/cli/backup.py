"""``homecoming backup FILE --key-file K`` and ``homecoming restore FILE --key-file K``:
encrypted backups, restored only when their audit chain verifies (services.backup)."""

from __future__ import annotations

from pathlib import Path

import click

from homecoming.cli.database import open_database

__all__ = ["backup_command", "restore_command"]


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key-file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The encryption key (one line; keep it apart from the backups).")
@click.option("--new-key", is_flag=True,
              help="Create a new key in --key-file first (refuses to overwrite one).")
@click.pass_context
def backup_command(ctx: click.Context, file: Path, key_file: Path, new_key: bool) -> None:
    """Write an encrypted backup of the whole database to FILE (owner-only)."""
    from homecoming.services import backup as service

    if new_key:
        service.new_key(key_file)
        click.echo(f"New key written to {key_file}: keep it safe and apart from the backups; "
                   "without it no backup made with it can be restored.")
    db = open_database(ctx)
    counts = service.backup(db, file, key_file)
    click.echo(f"Backed up {sum(counts.values())} rows of {len(counts)} tables from "
               f"{db.masked_url} to {file} (encrypted).")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key-file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The key the backup was made with.")
@click.pass_context
def restore_command(ctx: click.Context, file: Path, key_file: Path) -> None:
    """Restore the backup FILE into an empty database (run `homecoming init` first), after
    verifying its audit chain and records; nothing is written if they do not verify."""
    from homecoming.services import backup as service
    from homecoming.services.audit import verify

    db = open_database(ctx)
    counts = service.restore(db, file, key_file)
    with db.session() as session:
        result = verify(session)
    click.echo(f"Restored {sum(counts.values())} rows into {db.masked_url}; audit trail "
               f"{'intact' if result.ok else 'NOT intact'} ({result.entries} entries).")
