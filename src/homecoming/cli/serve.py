"""``homecoming serve``: the web application (FastAPI + uvicorn) on this machine."""

from __future__ import annotations

import click

from homecoming.cli.database import database_url

__all__ = ["serve_command", "password_command"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--public-statistics/--no-public-statistics", default=None,
              help="Publish the statistics pages without log-in (small cells suppressed); "
                   "default: env HOMECOMING_PUBLIC_STATISTICS.")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int,
                  public_statistics: bool | None) -> None:
    """Serve the web application at http://HOST:PORT (Ctrl-C stops it).

    Needs an initialised database (`homecoming init`) and accounts with passwords: there
    are no default credentials. Settings (public statistics, base-map tiles): see
    docs/howto/web.md.
    """
    import dataclasses

    import uvicorn

    from homecoming.web.app import create_app, vendor_missing
    from homecoming.web.config import WebConfig

    config = WebConfig.from_env(database_url(ctx))
    if public_statistics is not None:
        config = dataclasses.replace(config, public_statistics=public_statistics)
    app = create_app(config)
    missing = vendor_missing()
    if missing:
        click.echo(f"Warning: browser assets not installed ({', '.join(missing)}): run "
                   "`make setup` (npm ci in src/homecoming/web); the map will not draw.",
                   err=True)
    click.echo(f"Homecoming web application on http://{host}:{port} (database "
               f"{app.state.db.masked_url}); Ctrl-C stops it.", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                server_header=False)


@click.command("password")
@click.argument("name")
@click.option("--generate", is_flag=True,
              help="Set a random password and print it once (instead of asking for one).")
@click.pass_context
def password_command(ctx: click.Context, name: str, generate: bool) -> None:
    """Set the web log-in password of account NAME (stored as an argon2 hash only).

    Asks for the password twice (hidden), or with --generate makes a random one and prints
    it once. The account's owner or an admin may do it (HOMECOMING_USER names who acts).
    """
    from homecoming.cli.database import open_database
    from homecoming.services.web_auth import MIN_PASSWORD_LENGTH, new_password, set_password

    db = open_database(ctx)
    if generate:
        password = new_password()
    else:
        password = click.prompt(f"New password for {name} (at least {MIN_PASSWORD_LENGTH} "
                                "characters)", hide_input=True, confirmation_prompt=True)
    with db.session() as session:
        set_password(session, name, password)
    if generate:
        click.echo(f"Password of {name}: {password}")
    else:
        click.echo(f"Password of {name} set.")
