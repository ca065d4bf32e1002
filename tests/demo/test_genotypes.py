"""Gene dropping for the synthetic demonstration: Mendelian, reproducible, frequency-faithful."""

import numpy as np
import pytest

from homecoming.demo.genotypes import drop_genes, mask_loci, random_genotypes
from homecoming.demo.markers import DEMO_LOCI, demo_markers
from homecoming.errors import InputError
from homecoming.genetics.markers import Marker
from homecoming.pedigree.pedigree import Pedigree, Person, Sex


def trio():
    return Pedigree([Person("FA", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE),
                     Person("CH", "FA", "MO", Sex.FEMALE)])


def test_demo_markers_cover_the_kit_from_published_tables():
    markers = demo_markers()
    assert [m.name for m in markers] == list(DEMO_LOCI)
    assert len(markers) == 23
    by_name = {m.name: m for m in markers}
    # TH01 comes from STRidER Poland, CSF1PO (not in STRidER) from NIST 1036
    assert "strider2015_poland" in (by_name["TH01"].source or "")
    assert "nist1036_all" in (by_name["CSF1PO"].source or "")
    for m in markers:
        assert abs(float(m.frequencies.sum()) - 1.0) < 1e-6


def test_children_inherit_one_allele_from_each_parent():
    markers = demo_markers()
    rng = np.random.default_rng(1)
    for _ in range(20):
        g = drop_genes(trio(), markers, rng)
        for m in markers:
            child, fa, mo = g["CH"][m.name], g["FA"][m.name], g["MO"][m.name]
            assert (child[0] in fa and child[1] in mo) or (child[1] in fa and child[0] in mo)


def test_gene_dropping_is_reproducible_with_a_seed():
    markers = demo_markers()
    a = drop_genes(trio(), markers, np.random.default_rng(7))
    b = drop_genes(trio(), markers, np.random.default_rng(7))
    c = drop_genes(trio(), markers, np.random.default_rng(8))
    assert a == b
    assert a != c


def test_founder_allele_frequencies_follow_the_table():
    marker = Marker("L", ("10", "11", "12"), np.array([0.5, 0.3, 0.2]))
    people = random_genotypes(20000, [marker], np.random.default_rng(3))
    counts = {"10": 0, "11": 0, "12": 0}
    for p in people:
        for allele in p["L"]:
            counts[allele] += 1
    # 40000 draws: standard error of a proportion <= 0.0025; allow 4 SE
    assert counts["10"] / 40000 == pytest.approx(0.5, abs=0.01)
    assert counts["12"] / 40000 == pytest.approx(0.2, abs=0.01)


def test_genotypes_are_sorted_numerically_and_masking_drops_loci():
    marker = Marker("L", ("9", "10", "9.3"), np.array([0.4, 0.3, 0.3]))
    people = random_genotypes(200, [marker], np.random.default_rng(5))
    for p in people:
        a, b = p["L"]
        assert float(a) <= float(b)
    assert mask_loci({"A": ("1", "2"), "B": ("3", "3")}, ["A"]) == {"B": ("3", "3")}


def test_bad_mutation_rate_is_refused():
    with pytest.raises(InputError, match="mutation_rate 1.5"):
        drop_genes(trio(), demo_markers()[:1], np.random.default_rng(0), mutation_rate=1.5)
