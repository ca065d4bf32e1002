"""Which relative next (homecoming.kinship.advice): hand-derived expected exclusion power and
expected log10 LR of a candidate donor, the lumped computation against the full one, the
candidate list and the ranking.

Frequencies (SYNTHETIC): L1 alleles a, b, c with p = .2, .3, .5; L2 alleles a–f with
p = .05, .1, .15, .2, .2, .3. Tolerance 1e-9 (exact values).
"""

from __future__ import annotations

import math
from itertools import combinations_with_replacement

import pytest

from homecoming.errors import HypothesisError
from homecoming.genetics.markers import Marker
from homecoming.kinship import advice as advice_module
from homecoming.kinship.advice import advise, candidate_donors
from homecoming.kinship.power import power_tables
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

M, F = Sex.MALE, Sex.FEMALE
TOL = 1e-9
P = {"a": .2, "b": .3, "c": .5}
L1 = Marker("L1", tuple(P), list(P.values()))
L2 = Marker("L2", tuple("abcdef"), [.05, .1, .15, .2, .2, .3])
TRIO = Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("MP", "FA", "MO", M)])


def hwe(g):
    a, b = g
    return P[a] ** 2 if a == b else 2 * P[a] * P[b]


GENOTYPES = list(combinations_with_replacement("abc", 2))


def by_relation(result):
    return {c.candidate.relation: c for c in result.candidates}


def test_no_reference_ask_a_parent():
    """No one typed. A parent typed h = x/y excludes a random person exactly when he carries
    neither x nor y: EP(h) = (1 − pₓ − p_y)² (1 − pₓ)² for a homozygote). Averaged over
    h ~ HWE: aa .04·.64 + bb .09·.49 + cc .25·.25 + ab .12·.25 + ac .2·.09 + bc .3·.04 =
    .0256 + .0441 + .0625 + .03 + .018 + .012 = .1922. A child of the missing person gives the
    same (one allele shared IBD, the other from an untyped partner). A full sibling with
    untyped parents excludes no one: EP 0.

    Expected log10 LR with a parent typed h: E = Σ_h P(h) Σ_g P(g | h) log10(P(g | h)/P(g)),
    P(g | h) by Mendel (the parent passes each of its alleles with probability ½, the other
    allele is drawn from the population), computed here term by term.
    """
    result = advise(Pedigree([Person("MP", sex=M)]), [L1], {}, "MP")
    assert result.exclusion_power == 0.0
    assert result.expected_log10_lr == 0.0
    rel = by_relation(result)
    assert set(rel) == {"father", "mother", "child", "full sibling"}
    assert all(c.candidate.added for c in result.candidates)
    for who in ("father", "mother", "child"):
        assert rel[who].exclusion_power == pytest.approx(.1922, abs=TOL)
        assert rel[who].exclusion_power_gain == pytest.approx(.1922, abs=TOL)
    assert rel["full sibling"].exclusion_power == pytest.approx(0.0, abs=TOL)

    def transmit(h, g):
        """P(child g | parent h, other allele from the population)."""
        total = 0.0
        for passed in h:
            x, y = g
            if x == passed:
                total += .5 * P[y]
            if y == passed and x != y:
                total += .5 * P[x]
        return total

    expected = sum(hwe(h) * transmit(h, g) * math.log10(transmit(h, g) / hwe(g))
                   for h in GENOTYPES for g in GENOTYPES if transmit(h, g) > 0)
    assert rel["father"].expected_log10_lr == pytest.approx(expected, abs=TOL)
    assert rel["father"].expected_log10_lr_gain == pytest.approx(expected, abs=TOL)
    assert rel["full sibling"].expected_log10_lr < rel["father"].expected_log10_lr
    # a parent (or child) first: ties among them, the sibling last
    assert result.candidates[-1].candidate.relation == "full sibling"


def test_one_parent_typed_other_parent_beats_a_sibling():
    """Father a/b typed: EP = (1 − .2 − .3)² = .25. The mother typed h leaves the genotypes
    with one allele from {a, b} and one from h; EP(h) = 1 − P₂(allowed):
    aa: 1 − (aa .04 + ab .12) = .84; bb: 1 − (ab .12 + bb .09) = .79;
    cc: 1 − (ac .2 + bc .3) = .5; ab: 1 − (aa + ab + bb = .25) = .75;
    ac: 1 − (aa + ab + ac + bc = .66) = .34; bc: 1 − (ab + bb + ac + bc = .71) = .29.
    E[EP] = .04·.84 + .09·.79 + .25·.5 + .12·.75 + .2·.34 + .3·.29 = .4747, a gain of
    .2247. A new full sibling (mother untyped) excludes nothing the father does not: EP stays
    .25, gain 0; its expected log10 LR gain is smaller too, so the mother ranks first."""
    result = advise(TRIO, [L1], {"FA": {"L1": ("a", "b")}}, "MP")
    assert result.exclusion_power == pytest.approx(.25, abs=TOL)
    rel = by_relation(result)
    assert set(rel) == {"mother", "child", "full sibling"}
    assert not rel["mother"].candidate.added
    assert rel["mother"].exclusion_power == pytest.approx(.4747, abs=TOL)
    assert rel["mother"].exclusion_power_gain == pytest.approx(.2247, abs=TOL)
    assert rel["full sibling"].exclusion_power_gain == pytest.approx(0.0, abs=TOL)
    assert (rel["mother"].expected_log10_lr_gain
            > rel["full sibling"].expected_log10_lr_gain > 0)
    assert result.candidates[0].candidate.person == "MO"
    assert result.per_marker_exclusion_power == {"L1": pytest.approx(.25, abs=TOL)}


def test_lumped_equals_full_computation():
    """The lumped alleles (module docstring) give the same values as the full marker."""
    ped = Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("MP", "FA", "MO", M),
                    Person("S", "FA", "MO", F), Person("W", sex=F), Person("K", "MP", "W", M)])
    data = {"S": {"L2": ("a", "c")}, "K": {"L2": ("c", "f")}}
    base = power_tables(ped, [L2], data, "MP")
    for who in ("FA", "W"):
        kw = {"theta": 0.0, "founder_inbreeding": None, "dropout": None}
        fast = advice_module._candidate_power(ped, [L2], base, data, "MP", who, simple=True,
                                              **kw)
        full = advice_module._candidate_power(ped, [L2], base, data, "MP", who, simple=False,
                                              **kw)
        assert fast[0]["L2"] == pytest.approx(full[0]["L2"], abs=1e-12)
        assert fast[1]["L2"] == pytest.approx(full[1]["L2"], abs=1e-12)
    assert fast[0]["L2"] == pytest.approx(0.617171875, abs=TOL)


def test_candidates_and_added_persons():
    """Untyped members of the family (not persons outside it), the missing person's parents
    only when missing, a new sibling, a new child with each partner."""
    ped = Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("MP", "FA", "MO", F),
                    Person("H", sex=M), Person("K", "H", "MP", M), Person("X", sex=M)])
    extended, cands = candidate_donors(ped, "MP", {"K"})
    got = {(c.person, c.relation, c.added) for c in cands}
    assert got == {("FA", "father", False), ("MO", "mother", False),
                   ("H", "other parent of a child", False),
                   ("MP:new full sibling", "full sibling", True),
                   ("MP:new child", "child", True)}
    assert extended["MP:new child"].father == "H"
    assert extended["MP:new child"].mother == "MP"


def test_typed_missing_person_refused():
    with pytest.raises(HypothesisError, match="typed"):
        advise(TRIO, [L1], {"MP": {"L1": ("a", "a")}}, "MP")
    with pytest.raises(HypothesisError, match="not in the pedigree"):
        candidate_donors(TRIO, "NOBODY", set())


def test_lineages_of_candidates():
    """Paternal uncle and father share the male missing person's Y, the mother and the
    maternal grandmother his mtDNA; the paternal grandmother neither."""
    ped = Pedigree([Person("GF", sex=M), Person("GM", sex=F), Person("FA", "GF", "GM", M),
                    Person("UN", "GF", "GM", M), Person("MGM", sex=F), Person("MGF", sex=M),
                    Person("MO", "MGF", "MGM", F), Person("MP", "FA", "MO", M)])
    _, cands = candidate_donors(ped, "MP", {"FA"})
    got = {c.person: c.lineages for c in cands}
    assert got["UN"] == ("Y",) and got["GF"] == ("Y",)
    assert got["MO"] == ("mtDNA",) and got["MGM"] == ("mtDNA",)
    assert got["GM"] == () and got["MGF"] == ()
    assert got["MP:new full sibling"] == ("mtDNA",)
    assert advice_module.shared_lineages(ped, "MP", "FA") == ("Y",)
