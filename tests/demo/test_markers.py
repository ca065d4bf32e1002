"""The demonstration's markers and its gene dropping (homecoming.simulation with each marker's
mutation model: one simulator for the demo, the benchmarks and the accuracy study)."""

import numpy as np

from homecoming.demo.markers import DEMO_LOCI, demo_markers
from homecoming.demo.scenario import _GeneDropper
from homecoming.identification.screening import DEFAULT_MUTATION
from homecoming.pedigree.pedigree import Pedigree, Person, Sex


def trio():
    return Pedigree([Person("FA", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE),
                     Person("CH", "FA", "MO", Sex.FEMALE)])


def test_demo_markers_cover_the_kit_from_published_tables_with_a_mutation_model():
    markers = demo_markers()
    assert [m.name for m in markers] == list(DEMO_LOCI)
    assert len(markers) == 23
    by_name = {m.name: m for m in markers}
    # TH01 comes from STRidER Poland, CSF1PO (not in STRidER) from NIST 1036
    assert "strider2015_poland" in (by_name["TH01"].source or "")
    assert "nist1036_all" in (by_name["CSF1PO"].source or "")
    for m in markers:
        assert abs(float(m.frequencies.sum()) - 1.0) < 1e-6
        for spec in (m.mutation_female, m.mutation_male):
            assert spec.model == DEFAULT_MUTATION["model"]
            assert spec.rate == DEFAULT_MUTATION["rate"]


def test_gene_dropping_is_mendelian_up_to_mutations_at_the_model_rate():
    markers = demo_markers()
    dropper = _GeneDropper(markers)
    rng = np.random.default_rng(1)
    n_trios = 1000
    mutations = 0
    for _ in range(n_trios):
        g = dropper.family(trio(), rng)
        for m in markers:
            child, fa, mo = g["CH"][m.name], g["FA"][m.name], g["MO"][m.name]
            # transmissions that need a mutation, in the better of the two phases
            mutations += min(int(paternal not in fa) + int(maternal not in mo)
                             for paternal, maternal in ((child[0], child[1]),
                                                        (child[1], child[0])))
    # 1000 trios x 23 loci x 2 transmissions at rate 0.002: about 92 mutations (Poisson,
    # sd 9.6; a mutation to a parent's other allele is not seen, so somewhat fewer)
    assert 50 <= mutations <= 140


def test_gene_dropping_is_reproducible_with_a_seed():
    dropper = _GeneDropper(demo_markers())
    a = dropper.family(trio(), np.random.default_rng(7))
    b = dropper.family(trio(), np.random.default_rng(7))
    c = dropper.family(trio(), np.random.default_rng(8))
    assert a == b and a != c
    assert dropper.unrelated(3, np.random.default_rng(7)) == \
        dropper.unrelated(3, np.random.default_rng(7))
