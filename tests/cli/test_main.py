"""The ``homecoming`` entry point: a fast command list, "did you mean", ``| head`` exits 0."""

import subprocess
import sys
from pathlib import Path

import click
import pytest

from homecoming.cli.main import COMMANDS, SUMMARIES, cli, main


def _exit(argv):
    try:
        main(argv)
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_summaries_are_the_commands_own_help(name):
    assert name in COMMANDS
    command = cli.get_command(click.Context(cli), name)
    for limit in (45, 70, 200):
        assert (click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit)
                == command.get_short_help_str(limit)), \
            f"SUMMARIES[{name!r}] in cli/main.py differs from the command's own help"


def test_help_lists_every_command_without_importing_any():
    code = ("import sys\nfrom homecoming.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in sys.modules if m.startswith('homecoming.cli.') and "
            "m != 'homecoming.cli.main' or m in ('numpy', 'scipy', 'sqlalchemy'))\n"
            "print('IMPORTED', heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "IMPORTED []" in out
    listed = out.split("Commands:")[1]
    for name in SUMMARIES:
        assert f"\n  {name} " in listed


def test_mistyped_command_gets_did_you_mean(capsys):
    assert _exit(["identfy"]) == 2
    err = capsys.readouterr().err
    assert "No such command 'identfy'. Did you mean 'identify'" in err
    assert _exit(["zzzzzz"]) == 2
    assert "No such command 'zzzzzz'. (homecoming --help lists them)" in capsys.readouterr().err


def test_output_into_a_closed_pipe_exits_0():
    # the reader is gone before the command writes: `homecoming frequencies list | head -0`
    proc = subprocess.Popen([sys.executable, "-m", "homecoming", "frequencies", "list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert "Error" not in err and "Traceback" not in err and "Exception ignored" not in err


def test_identify_on_a_dataset_file_imports_no_casework_model_nor_database():
    """Start-up of `identify FILE`: the pydantic casework models (~0.25 s to import), the
    database layer, tqdm under --quiet, Familias for a JSON file and numpy.ma are not
    imported (issue 15: every dvir example within 0.5 s in a fresh process)."""
    example = Path(__file__).resolve().parent.parent / "data/dvi-examples/example2.json"
    code = ("import sys, io, contextlib\nfrom homecoming.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    try:\n"
            f"        main(['identify', {str(example)!r}, '--json', '--quiet'])\n"
            "    except SystemExit as e:\n"
            "        assert not e.code, e.code\n"
            "assert 'dvi-result@1' in out.getvalue()\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', "
            "'sqlalchemy', 'tqdm') or m.startswith(('homecoming.casework', "
            "'homecoming.storage', 'homecoming.formats.familias')) or m == 'numpy.ma')\n"
            "print('IMPORTED', heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "IMPORTED []" in out


@pytest.mark.parametrize("preset", [None, "3"])
def test_blas_threads_default_to_one_unless_the_user_set_them(preset):
    """The command sets one BLAS thread before numpy loads (benchmarks/README.md, "BLAS
    threads"), and keeps a value the user set."""
    import os

    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    code = ("import os, sys\nimport homecoming.cli.main\n"
            "print('numpy' in sys.modules, os.environ['OPENBLAS_NUM_THREADS'],"
            " os.environ['OMP_NUM_THREADS'])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout.split()
    assert out == ["False", preset or "1", "1"]
