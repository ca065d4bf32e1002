"""Where the tests' shipped data lives: ``tests/data``, found relative to this file.

Every test that reads an example file takes its path from here, so a clone in an empty folder
runs the whole suite. A test that needs a shipped file fails (it never skips) when the file is
missing. Sources and licences: ``tests/data/*/SOURCES.md``.
"""

from __future__ import annotations

from pathlib import Path

#: ``tests/data`` of this checkout.
DATA = Path(__file__).resolve().parent / "data"
#: dvir's example DVI problems in homecoming/dvi-dataset@1 JSON (GPL-3 example data).
DVI_EXAMPLES = DATA / "dvi-examples"
#: Familias ``.fam`` files and one Familias frequency table (GPL-3 example data).
FAMILIAS = DATA / "familias"


def familias_files() -> list[Path]:
    """The shipped ``.fam`` files, sorted; raises if the folder is missing or empty."""
    files = sorted(FAMILIAS.glob("*.fam"))
    if not files:
        raise FileNotFoundError(
            f"{FAMILIAS}: no .fam files; expected the shipped Familias examples")
    return files
