"""Entry point of the ``homecoming`` command.

Subcommands are loaded lazily from their own modules (``homecoming.cli.<module>:<attr>``), so
``homecoming --help`` stays fast and each command's imports are paid only when it runs.
Errors that a user can cause print one line and exit with status 1; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from homecoming._version import __version__
from homecoming.errors import HomecomingError

#: command name -> "module:attribute" of a click command. Add a line to register a command.
COMMANDS: dict[str, str] = {
    "init": "homecoming.cli.database:init_command",
    "demo": "homecoming.cli.demo:demo_command",
    "stats": "homecoming.cli.database:stats_command",
    "import": "homecoming.cli.imports:import_group",
    "export": "homecoming.cli.exports:export_group",
    "frequencies": "homecoming.cli.frequencies:frequencies_group",
    "kinship": "homecoming.cli.kinship:kinship_command",
    "identify": "homecoming.cli.identify:identify_command",
    "screen": "homecoming.cli.screen:screen_command",
    "serve": "homecoming.cli.serve:serve_command",
    "users": "homecoming.cli.users:users_group",
    "identifications": "homecoming.cli.identifications:identifications_group",
    "review": "homecoming.cli.review:review_group",
    "report": "homecoming.cli.report:report_group",
    "notify": "homecoming.cli.notify:notify_command",
    "release": "homecoming.cli.notify:release_command",
    "list": "homecoming.cli.records:list_command",
    "show": "homecoming.cli.records:show_command",
    "audit": "homecoming.cli.records:audit_group",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        names = []
        for name, target in COMMANDS.items():
            module = target.split(":")[0]
            if importlib.util.find_spec(module) is not None:
                names.append(name)
        return sorted(names)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        if importlib.util.find_spec(module_name) is None:
            return None
        return getattr(importlib.import_module(module_name), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="homecoming")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.option("--database", "database_url", envvar="HOMECOMING_DATABASE_URL", metavar="URL",
              help="SQLAlchemy database URL (default: a SQLite file in the per-user data "
                   "folder; env HOMECOMING_DATABASE_URL).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, database_url: str | None) -> None:
    """Homecoming: record and solve the identification of the dead of a war.

    Sites, graves, remains, samples and their custody, missing persons and their families,
    DNA kinship likelihood ratios and identification.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["database_url"] = database_url


def main(argv: list[str] | None = None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="homecoming", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except (HomecomingError, OSError) as exc:
        if debug:
            raise
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        click.echo(f"Error: {message}", err=True)
        sys.exit(1)
    except BrokenPipeError:  # `homecoming ... | head`
        sys.exit(0)
    except Exception as exc:  # a database error that escaped storage: one line, no data
        if debug or type(exc).__module__.split(".")[0] not in ("sqlalchemy", "psycopg",
                                                                "sqlite3"):
            raise
        click.echo(f"Error: database error ({type(exc).__name__}); nothing was written",
                   err=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
