"""The repository stands alone: no file names a path of the machine it was written on, and the
links of the reference and developer documentation resolve inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: folders that are not part of the repository's own text (tools, caches, installed packages)
SKIP = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache",
        ".pytest_cache", ".hypothesis", "build", "dist"}
TEXT = {".py", ".md", ".toml", ".cfg", ".ini", ".txt", ".json", ".csv", ".html", ".js", ".css",
        ".yml", ".yaml", ".sh", ".mako", ".po", ""}
#: an absolute path of a development machine (/work/..., /home/<user>/..., /Users/<user>/...)
MACHINE_PATH = re.compile(r"(?<![\w.:/-])(/work/[\w.-]+|/home/\w+/|/Users/\w+/|[A-Z]:\\Users\\)")
#: a folder beside the checkout, reached from inside it
BESIDE = re.compile(r"\.\./shared\b|\"shared\" / \"data\"|parents\[3\] / \"shared\"")


def repository_files() -> list[Path]:
    out = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if any(part in SKIP or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file() and path.suffix in TEXT and path.stat().st_size < 2_000_000:
            out.append(path)
    return out


def test_the_scan_sees_the_repository():
    names = {p.relative_to(ROOT).as_posix() for p in repository_files()}
    assert {"pyproject.toml", "README.md", "src/homecoming/cli/main.py",
            "tests/data/dvi-examples/SOURCES.md"} <= names


def test_no_file_names_a_path_outside_the_repository():
    this = Path(__file__).resolve()
    found = []
    for path in repository_files():
        if path == this:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for k, line in enumerate(text.splitlines(), start=1):
            if MACHINE_PATH.search(line) or BESIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{k}: {line.strip()[:100]}")
    assert not found, ("files name a path outside the repository (copy what is needed into "
                       "tests/data/ and use tests/paths.py, or cite without a path):\n"
                       + "\n".join(found))


def test_the_pattern_catches_machine_paths():
    for line in ('DATA = Path("/work/shared/data/familias")', "see /home/alice/notes.md",
                 "EXAMPLES = HERE.parent.parent / \"shared\" / \"data\""):
        assert MACHINE_PATH.search(line) or BESIDE.search(line), line
    for line in ("https://example.org/work/shared", "tests/data/familias", "/usr/bin/env"):
        assert not (MACHINE_PATH.search(line) or BESIDE.search(line)), line


def test_reference_and_developer_docs_links_resolve():
    pages = [ROOT / "CHANGELOG.md", *sorted((ROOT / "docs" / "reference").rglob("*.md")),
             *sorted((ROOT / "docs" / "dev").glob("*.md")),
             *sorted((ROOT / "tests" / "data").glob("*/SOURCES.md"))]
    checked = 0
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)[^)]*\)", page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue
            where = page.relative_to(ROOT)
            assert (page.parent / target).exists(), f"{where}: broken link {target}"
            checked += 1
    assert checked >= 10
