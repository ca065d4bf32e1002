"""The README gives exactly two set-up commands, and every relative link in it and in the
how-to guides points to a file that exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_has_the_two_commands_first():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.S)
    assert [b.strip() for b in blocks[:2]] == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo: setup$", makefile, flags=re.M)
    assert re.search(r"^test: setup\b", makefile, flags=re.M)


def test_relative_links_resolve():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs" / "howto").glob("*.md"))]
    checked = 0
    for page in pages:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text()):
            if re.match(r"^[a-z]+://", target):
                continue
            assert (page.parent / target).exists(), f"{page.name}: broken link {target}"
            checked += 1
    assert checked >= 10
