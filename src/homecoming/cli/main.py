"""Entry point of the ``homecoming`` command.

Subcommands are loaded lazily from their own modules (``homecoming.cli.<module>:<attr>``), so
``homecoming --help`` stays fast and each command's imports are paid only when it runs: the
command list shows the one-line help of :data:`SUMMARIES` (tested to match each command's
own help) and imports only commands that have none. A mistyped command gets "did you mean";
``homecoming ... | head`` exits 0.
Errors that a user can cause print one line and exit with status 1; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

import click

from homecoming._version import __version__
from homecoming.errors import HomecomingError

#: BLAS thread settings given to numpy when the user has set none (before numpy loads).
#: Homecoming's numerical work is many small matrix products (pedigree eliminations, genotype
#: tables, the screening's blocks), where BLAS worker threads spin between calls and compete
#: with the main thread: one thread was faster on every workload measured on 2 cores
#: (benchmarks/README.md, "BLAS threads"). Parallel work goes to processes instead (Dask).
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
for _name, _value in BLAS_THREADS.items():
    os.environ.setdefault(_name, _value)

#: Cyclic garbage collection less often than Python's default (700 allocations): the
#: engines allocate many short-lived containers, almost all freed by reference counting, and
#: each collection walks the young objects (every ~700 allocations) or, now and then, all
#: of them. A whole ``identify`` on dvir's ``icmp`` ran 99 collections; with these thresholds
#: it makes 1.2 % fewer instructions (benchmarks/README.md). Cycles are still collected.
GC_THRESHOLDS = (100_000, 20, 20)
gc.set_threshold(*GC_THRESHOLDS)

#: command name -> "module:attribute" of a click command. Add a line to register a command.
COMMANDS: dict[str, str] = {
    "init": "homecoming.cli.database:init_command",
    "demo": "homecoming.cli.demo:demo_command",
    "stats": "homecoming.cli.database:stats_command",
    "import": "homecoming.cli.imports:import_group",
    "export": "homecoming.cli.exports:export_group",
    "frequencies": "homecoming.cli.frequencies:frequencies_group",
    "kinship": "homecoming.cli.kinship:kinship_command",
    "power": "homecoming.cli.power:power_command",
    "advise": "homecoming.cli.advise:advise_command",
    "identify": "homecoming.cli.identify:identify_command",
    "screen": "homecoming.cli.screen:screen_command",
    "serve": "homecoming.cli.serve:serve_command",
    "password": "homecoming.cli.serve:password_command",
    "users": "homecoming.cli.users:users_group",
    "identifications": "homecoming.cli.identifications:identifications_group",
    "review": "homecoming.cli.review:review_group",
    "report": "homecoming.cli.report:report_group",
    "notify": "homecoming.cli.notify:notify_command",
    "release": "homecoming.cli.notify:release_command",
    "list": "homecoming.cli.records:list_command",
    "show": "homecoming.cli.records:show_command",
    "audit": "homecoming.cli.audit:audit_group",
    "backup": "homecoming.cli.backup:backup_command",
    "restore": "homecoming.cli.backup:restore_command",
    "custody": "homecoming.cli.custody:custody_group",
    "consent": "homecoming.cli.consent:consent_group",
}


#: command name -> its one-line help, shown by ``homecoming --help`` without importing the
#: command (a command missing here is imported to ask; tests/cli/test_main.py checks these)
SUMMARIES: dict[str, str] = {
    "init": "Create the database, or upgrade it to the newest schema.",
    "demo": "Load a SYNTHETIC demonstration case modelled on the Izium exhumation (Sept 2022).",
    "stats": "Count the records in the database (sites, graves, remains, missing persons, …).",
    "import": "Import records from files (validated first; one transaction per file).",
    "export": "Export records to files (profiles to CODIS/GeneMapper/CSV, records to CSV, "
              "sites to GeoJSON, kinship cases to Familias).",
    "frequencies": "Published allele-frequency databases shipped with Homecoming (see "
                   "SOURCES.md).",
    "kinship": "Likelihood ratios of the hypotheses in a kinship case file (or a Familias "
               ".fam file).",
    "power": "Exclusion and identification power of a missing-person case file.",
    "advise": "Which relative to ask next for a reference sample.",
    "identify": "Identify victims in a DVI DATASET (dvi-dataset@1 JSON, or a Familias .fam "
                "file), or, without DATASET, the whole case stored in the database.",
    "screen": "Blind screening: every PM profile against every reference profile.",
    "serve": "Serve the web application at http://HOST:PORT (Ctrl-C stops it).",
    "password": "Set the web log-in password of account NAME (stored as an argon2 hash only).",
    "users": "Accounts and roles (field, pathologist, lab, analyst, board, liaison, "
             "investigator, monitor, admin).",
    "identifications": "Stored identifications: one version per missing person per changed "
                       "run.",
    "review": "Review stored identifications: accept (analyst), confirm (board), reject.",
    "report": "Reports: the identification report (PDF or HTML), the death-registration "
              "export.",
    "notify": "Record that the family was told of the confirmed identification ID.",
    "release": "Record the release of the remains of the confirmed identification ID to the "
               "family (closes the chain of custody; the remains become 'released').",
    "list": "List the stored records of one KIND.",
    "show": "Show one stored record of KIND (samples and remains with their chain of custody).",
    "audit": "The tamper-evident audit trail: verify, anchor, log.",
    "backup": "Write an encrypted backup of the whole database to FILE (owner-only).",
    "restore": "Restore the backup FILE into an empty database (run `homecoming init` first), "
               "after verifying its audit chain and records; nothing is written if they do "
               "not verify.",
    "custody": "Chain of custody: record transfers, show an item's timeline and its breaks.",
    "consent": "Donor consent: record a withdrawal (profiles left out from then on), list them.",
}


def _silence_stdout() -> None:
    """After a closed pipe (``homecoming ... | head``): send what is left to /dev/null so
    that flushing at exit raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (e.g. captured by a test runner)
        pass


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`SUMMARIES`, importing no command that has one."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            if name in SUMMARIES:
                text = click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit)
            else:
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                text = command.get_short_help_str(limit)
            rows.append((name, text))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx: click.Context, args: list[str],
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0])
        if name not in COMMANDS and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=2, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint} (homecoming --help lists them)")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:   # the reader of our output went away (`... | head`)
            _silence_stdout()
            raise click.exceptions.Exit(0) from None


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
    previous = os.umask(0o077)  # every file and folder a command writes is owner-only
    ctx.call_on_close(lambda: os.umask(previous))


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
    except BrokenPipeError:  # `homecoming ... | head` (output written outside a command)
        _silence_stdout()
        sys.exit(0)
    except (HomecomingError, OSError) as exc:
        if debug:
            raise
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        click.echo(f"Error: {message}", err=True)
        sys.exit(1)
    except Exception as exc:  # a database error that escaped storage: one line, no data
        if debug or type(exc).__module__.split(".")[0] not in ("sqlalchemy", "psycopg",
                                                                "sqlite3"):
            raise
        click.echo(f"Error: database error ({type(exc).__name__}); nothing was written",
                   err=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
