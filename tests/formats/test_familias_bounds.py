"""Counts read from a Familias file are bounded by what the file can hold (issue 13,
failure 5), and control characters are refused at the boundary (failure 4)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from homecoming.errors import FormatError
from homecoming.formats.familias import parse_fam

DATA = Path(__file__).resolve().parents[1] / "data" / "familias"


def _text() -> str:
    return (DATA / "ch4-table-4-4.fam").read_text(encoding="utf-8")


@pytest.mark.parametrize("lineno,value,what", [
    (5, "999999999", "number of individuals"),       # persons
    (5, "1e18", "an integer"),
    (5, str(10**18), "number of individuals"),
    (11, "300000000", "typed markers"),
])
def test_huge_counts_are_refused_without_allocating(lineno, value, what):
    lines = _text().splitlines()
    lines[lineno - 1] = value
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=what) as err:
            parse_fam("\n".join(lines) + "\n", path="big.fam")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.line == lineno and err.value.path == "big.fam"
    assert peak < 50_000_000


@pytest.mark.parametrize("value", ["975000000", str(10**18)])
def test_pedigree_count_is_bounded(value):
    lines = _text().splitlines()
    k = lines.index('"Known relations"')
    # extra females, extra males, known relations, then the number of pedigrees
    lines[k + 4] = value
    with pytest.raises(FormatError, match="number of pedigrees, at most") as err:
        parse_fam("\n".join(lines) + "\n", path="big.fam")
    assert err.value.line == k + 5


def test_the_shipped_file_still_reads():
    fam = parse_fam(_text(), path="ok.fam")
    assert len(fam.persons) == 4


@pytest.mark.parametrize("ch", ["\x07", "\x1b", "\u202e"])
def test_control_characters_refused_and_not_echoed(ch):
    text = _text().replace('"V1"', f'"V{ch}1"', 1)
    with pytest.raises(FormatError) as err:
        parse_fam(text, path="c.fam")
    assert ch not in str(err.value) and err.value.line == 6


@pytest.mark.parametrize("alleles,stepwise", [
    (["9", "9.3", "10", "10.0"], True),
    (["9", "9.5", "10"], False),          # .5 is no microvariant of the grammar
    (["9", "150", "10"], False),          # 150 repeats: not an STR allele at this locus
    (["Rest allele", "10"], False),
])
def test_stepwise_needs_alleles_of_the_grammar(alleles, stepwise):
    from homecoming.formats.familias import FamiliasFile, FamiliasLocus

    n = len(alleles)
    loc = FamiliasLocus("TH01", alleles, [1 / n] * n, female_rate=0.01, male_rate=0.01,
                        female_model=4, male_model=4, female_range=0.1, male_range=0.1)
    fam = FamiliasFile(loci=[loc])
    (item,) = fam.markers_json()
    assert (item["mutation"]["female"]["model"] == "stepwise") is stepwise
    assert any("stepwise model cannot be used" in e.message for e in fam.report.fixes) \
        is not stepwise
