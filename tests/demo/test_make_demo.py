"""`make demo` (issue 12 item 7): set up, load the demo with its SYNTHETIC accounts, print the
counts and accounts, then serve on http://127.0.0.1:8000 — and every how-to guide still runs
after it: a guide that works on a database sets the acting account (HOMECOMING_USER) or uses a
database of its own before its first such command. (The serve step is only in the Makefile;
tests/cli/test_demo_accounts.py runs the demo itself.)"""

import re
from pathlib import Path

import pytest

from homecoming.services.review import DEMO_ACCOUNTS, DEMO_ADMIN

ROOT = Path(__file__).resolve().parents[2]
#: commands that read or write the casework database (file conversions excluded below)
DATABASE_COMMAND = re.compile(
    r"^\s*(?:HOMECOMING_USER=\S+\s+)?homecoming\s+(?:--database\s+\S+\s+)?"
    r"(stats|list|show|identify|review|notify|release|screen|users|import|export|audit|custody|"
    r"report|backup|demo|password|identifications|init)\b(.*)$")
#: a database command that needs no account: file in, file out (or none)
NO_DATABASE = re.compile(r"^(import|export) familias\b|^identify \S+\.(json|fam)\b"
                         r"|^screen --dataset\b|^init\b")


def _recipe(target: str) -> list[str]:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, flags=re.M)
    assert match, target
    return [line.strip() for line in match.group(1).splitlines()]


def test_make_demo_loads_with_accounts_then_serves():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(rf"^DEMO_USER \?= {DEMO_ADMIN}$", makefile, flags=re.M)
    steps = _recipe("demo")
    commands = [s for s in steps if "homecoming " in s]
    assert commands[0] == "HOMECOMING_USER=$(DEMO_USER) $(BIN)/homecoming init"
    assert commands[1] == "HOMECOMING_USER=$(DEMO_USER) $(BIN)/homecoming demo --replace --workflow"
    assert commands[2] == "HOMECOMING_USER=$(DEMO_USER) $(BIN)/homecoming stats"
    # serving (forever, until Ctrl-C) is the last step, on the address the README gives
    assert steps[-1] == "$(BIN)/homecoming serve --host 127.0.0.1 --port 8000"
    readme = (ROOT / "README.md").read_text().split("## How-to guides")[0]
    assert "http://127.0.0.1:8000" in readme and "Ctrl-C" in readme
    assert f"HOMECOMING_USER={DEMO_ADMIN}" in readme
    assert DEMO_ADMIN in dict(DEMO_ACCOUNTS)


def _code_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of the fenced or indented code of a Markdown page; a ``$ `` line
    is a transcript that shows an output (an error message), not a step to run."""
    out, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if (fenced or line.startswith("    ")) and not line.lstrip().startswith("$ "):
            out.append((number, line.strip()))
    return out


@pytest.mark.parametrize("guide", sorted(p.name for p in (ROOT / "docs" / "howto").glob("*.md")))
def test_guides_set_an_account_or_their_own_database_first(guide):
    text = (ROOT / "docs" / "howto" / guide).read_text()
    lines = text.splitlines()
    for number, line in _code_lines(text):
        match = DATABASE_COMMAND.match(line)
        if not match or NO_DATABASE.match(f"{match.group(1)}{match.group(2)}"):
            continue
        before = "\n".join(lines[:number])
        assert re.search(r"HOMECOMING_USER=\S|HOMECOMING_DATABASE_URL=\S|--database \S",
                         before), f"{guide}:{number}: {line!r} runs before the guide says " \
            "which account (HOMECOMING_USER) or which database to use"
        return  # the first database command decides
