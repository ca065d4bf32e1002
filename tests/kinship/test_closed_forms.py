"""The closed forms of kinship-software.md §6 (A1–A20, B1–B8) as tests.

Each hand-derived value is compared with the reference oracle (tests/reference/oracle.py) and
with the fast engine (``homecoming.kinship.likelihood.log_likelihood`` and
``homecoming.kinship.lr.kinship_lr``) to 1e-9. Unless stated, p_a=.1, p_b=.2, p_c=.3, p_d=.4.
Sources of the expected numbers: NRC II (1996) ch. 5 for the paternity and sibship indices;
pedprobr@3de9368 tests (test-mutations.R, test-loops.R, test-X-linked-likelihood.R) and
R/likelihood.R examples for B1–B8; forrel tests/testthat/test-kinshipLR.R for A20.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.kinship.likelihood import log_likelihood
from homecoming.kinship.lr import Hypothesis, kinship_lr
from homecoming.pedigree import (
    Pedigree,
    Person,
    Sex,
    avuncular,
    full_siblings,
    grandparent,
    half_siblings,
    parent_child,
    trio,
    unrelated,
)
from tests.reference.oracle import reference_log_likelihood


def need_engine() -> None:
    """Kept as a no-op marker of the tests that exercise the engine (not only the oracle)."""

TOL = 1e-9
P = {"a": .1, "b": .2, "c": .3, "d": .4}


def marker(name="L", *, chromosome="autosomal", female=None, male=None, freqs=None) -> Marker:
    freqs = freqs or P
    return Marker(name, tuple(freqs), np.array(list(freqs.values())), chromosome=chromosome,
                  mutation_female=female, mutation_male=male)


def close(value: float, expected: float) -> None:
    assert value == pytest.approx(expected, rel=TOL, abs=TOL), (value, expected)


def check_lik(ped, markers, g, expected, **kw) -> None:
    ref = float(np.exp(np.sum(reference_log_likelihood(ped, markers, g, **kw))))
    close(ref, expected)
    need_engine()
    eng = float(np.exp(np.sum(log_likelihood(ped, markers, g, **kw))))
    close(eng, expected)


def check_lr(h1, h0, markers, g, expected, *, theta=0.0) -> None:
    """LR of h1 vs h0 by the oracle, by log_likelihood and by kinship_lr."""
    r1 = np.sum(reference_log_likelihood(h1, markers, g, theta=theta))
    r0 = np.sum(reference_log_likelihood(h0, markers, g, theta=theta))
    ref = math.exp(r1 - r0) if r1 > -math.inf else 0.0
    close(ref, expected)
    need_engine()
    res = kinship_lr([Hypothesis("H1", h1), Hypothesis("H0", h0)], markers, g, reference="H0",
                     theta=theta)
    close(ref, expected)
    close(res.lr("H1"), expected)
    e1 = np.sum(log_likelihood(h1, markers, g, theta=theta))
    e0 = np.sum(log_likelihood(h0, markers, g, theta=theta))
    close(math.exp(e1 - e0) if e1 > -math.inf else 0.0, expected)


def duo(af, ch, expected, markers=None, theta=0.0):
    g = {"AF": {"L": af}, "CH": {"L": ch}}
    check_lr(parent_child(parent="AF", child="CH"), unrelated(["AF", "CH"], ["male", "male"]),
             markers or [marker()], g, expected, theta=theta)


# --- A: single-marker LRs ---------------------------------------------------------------------

def test_a1_duo_homozygous_match():
    duo(("a", "a"), ("a", "a"), 1 / .1)


def test_a2_duo_one_shared_allele():
    duo(("a", "a"), ("a", "b"), 1 / (2 * .1))
    duo(("a", "b"), ("a", "a"), 1 / (2 * .1))


def test_a3_duo_heterozygous_one_shared():
    duo(("a", "c"), ("a", "b"), 1 / (4 * .1))


def test_a4_duo_same_heterozygote():
    duo(("a", "b"), ("a", "b"), (.1 + .2) / (4 * .1 * .2))


def _trio_lr(mo, ch, af, expected):
    g = {"MO": {"L": mo}, "CH": {"L": ch}, "AF": {"L": af}}
    h1 = trio(father="AF", mother="MO", child="CH")
    h0 = Pedigree([Person("AF", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE),
                   Person("UF", sex=Sex.MALE), Person("CH", "UF", "MO", Sex.MALE)])
    check_lr(h1, h0, [marker()], g, expected)


def test_a5_trio_obligate_allele():
    _trio_lr(("a", "b"), ("a", "c"), ("c", "d"), 1 / (2 * .3))


def test_a6_trio_all_ab():
    _trio_lr(("a", "b"), ("a", "b"), ("a", "b"), 1 / (.1 + .2))


def _sibs(g1, g2, expected, ped=None, ids=("S1", "S2")):
    ped = ped or full_siblings(*ids)
    check_lr(ped, unrelated(ids, ["male", "male"]), [marker()],
             {ids[0]: {"L": g1}, ids[1]: {"L": g2}}, expected)


def test_a7_full_sibs_homozygous():
    _sibs(("a", "a"), ("a", "a"), (1 + .1) ** 2 / (4 * .1 ** 2))


def test_a8_full_sibs_same_heterozygote():
    pa, pb = .1, .2
    _sibs(("a", "b"), ("a", "b"), (1 + pa + pb + 2 * pa * pb) / (8 * pa * pb))


def test_a9_full_sibs_one_shared():
    _sibs(("a", "b"), ("a", "c"), (1 + 2 * .1) / (8 * .1))


def test_a10_full_sibs_nothing_shared():
    _sibs(("a", "b"), ("c", "d"), 0.25)


@pytest.mark.parametrize("build", ["half_paternal", "half_maternal", "grandparent", "avuncular"])
def test_a11_a12_kappa1_half(build):
    peds = {
        "half_paternal": half_siblings("S1", "S2", side="paternal"),
        "half_maternal": half_siblings("S1", "S2", side="maternal"),
        "grandparent": grandparent(grandparent="S1", grandchild="S2"),
        "avuncular": avuncular(uncle="S1", nephew="S2"),
    }
    ped = peds[build]
    _sibs(("a", "a"), ("a", "a"), 0.5 + 1 / (2 * .1), ped=ped)   # A11: 5.5
    _sibs(("a", "b"), ("a", "c"), 0.5 + 1 / (8 * .1), ped=ped)   # A12: 1.75
    _sibs(("a", "b"), ("c", "d"), 0.5, ped=ped)                  # A12: 0.5


def test_a13_x_father_daughter():
    x = [marker(chromosome="X")]
    h1 = parent_child(parent="F", child="D", parent_sex="male", child_sex="female")
    h0 = unrelated(["F", "D"], ["male", "female"])
    check_lr(h1, h0, x, {"F": {"L": ("a",)}, "D": {"L": ("a", "b")}}, 1 / (2 * .1))
    check_lr(h1, h0, x, {"F": {"L": ("a",)}, "D": {"L": ("a", "a")}}, 1 / .1)


def test_a14_duo_exclusion_without_mutation():
    duo(("c", "d"), ("a", "b"), 0.0)


def test_a15_proportional_mutation():
    spec = MutationSpec("proportional", rate=0.005)
    alpha = 0.005 / (1 - sum(p * p for p in P.values()))
    duo(("c", "d"), ("a", "b"), alpha, markers=[marker(female=spec, male=spec)])
    close(alpha, 0.0071428571428571)


def test_a16_equal_mutation_non_stationary():
    r = 0.005
    spec = MutationSpec("equal", rate=r)
    p = np.array(list(P.values()))
    m = np.full((4, 4), r / 3)
    np.fill_diagonal(m, 1 - r)
    pm = p @ m
    expected = (r / 3) * (pm[0] + pm[1]) / (2 * .1 * .2)
    close(expected, 0.0125555555555556)
    duo(("c", "d"), ("a", "b"), expected, markers=[marker(female=spec, male=spec)])


def test_a17_theta_single_homozygote():
    mk = [marker(freqs={"a": .3, "b": .7})]
    theta = 0.01
    check_lik(unrelated(["X"]), mk, {"X": {"L": ("a", "a")}}, .3 * (theta + (1 - theta) * .3),
              theta=theta)
    close(.3 * (theta + (1 - theta) * .3), 0.0921)


def test_a18_theta_single_heterozygote():
    theta = 0.01
    check_lik(unrelated(["X"]), [marker()], {"X": {"L": ("a", "b")}}, 2 * .1 * .2 * (1 - theta),
              theta=theta)


def test_a19_theta_duo_joint_convention():
    theta, p = 0.01, .1
    expected = (1 + 2 * theta) / (3 * theta + (1 - theta) * p)
    close(expected, 7.9069767441860)
    duo(("a", "a"), ("a", "a"), expected, theta=theta)
    # the numerator (paternity) equals the published 0.0012842574
    check_lik(parent_child(parent="AF", child="CH"), [marker()],
              {"AF": {"L": ("a", "a")}, "CH": {"L": ("a", "a")}},
              .1 * (theta + (1 - theta) * .1) * (2 * theta + (1 - theta) * .1) / (1 + theta),
              theta=theta)


def test_a20_two_markers_multiply():
    m1 = marker("M1", freqs={"A": .05, "B": .95})
    m2 = marker("M2", freqs={"A": .1, "B": .9})
    g = {"AF": {"M1": ("A", "A"), "M2": ("A", "A")}, "CH": {"M1": ("A", "A"), "M2": ("A", "A")}}
    check_lr(parent_child(parent="AF", child="CH"), unrelated(["AF", "CH"], ["male", "male"]),
             [m1, m2], g, 200.0)


# --- B: pedigree likelihoods -----------------------------------------------------------------

SNP = {"1": .2, "2": .8}


def nuclear_ped(n_children=1):
    return Pedigree([Person("1", sex=Sex.MALE), Person("2", sex=Sex.FEMALE)]
                    + [Person(str(3 + i), "1", "2", Sex.MALE) for i in range(n_children)])


def test_b1_trio_all_heterozygous():
    p, q = .2, .8
    mk = [marker(freqs=SNP)]
    ped = nuclear_ped()
    het = ("1", "2")
    check_lik(ped, mk, {"1": {"L": het}, "2": {"L": het}, "3": {"L": het}}, 2 * p**2 * q**2)
    check_lik(ped, mk, {"1": {"L": het}, "3": {"L": het}}, p * q)


def test_b2_full_sibs_both_homozygous():
    q = .8
    check_lik(nuclear_ped(2), [marker(freqs=SNP)], {"3": {"L": ("2", "2")}, "4": {"L": ("2", "2")}},
              0.25 * q**2 * (1 + q)**2)


def test_b3_three_generations():
    p, q = .2, .8
    ped = Pedigree([Person("4", sex=Sex.MALE), Person("5", sex=Sex.FEMALE),
                    Person("6", sex=Sex.MALE), Person("7", sex=Sex.FEMALE),
                    Person("1", "4", "5", Sex.MALE), Person("2", "6", "7", Sex.FEMALE),
                    Person("3", "1", "2", Sex.MALE)])
    het = ("1", "2")
    check_lik(ped, [marker(freqs=SNP)], {"4": {"L": het}, "7": {"L": het}, "3": {"L": het}},
              (2 * p * q) ** 2 * (3 / 8 + p * q / 2))


def test_b4_trio_snp():
    mk = [marker(freqs={"1": .5, "2": .5})]
    check_lik(nuclear_ped(), mk, {"1": {"L": ("1", "2")}, "2": {"L": ("1", "2")},
                                  "3": {"L": ("2", "2")}}, 1 / 16)


def test_b5_trio_with_mutation():
    p, q = .9, .1
    eq = MutationSpec("equal", rate=0.1)
    mk = [marker(freqs={"1": p, "2": q}, female=eq, male=eq)]
    rr = 0.1  # equal model, two alleles: M[1,2] = rate
    check_lik(nuclear_ped(), mk, {"1": {"L": ("1", "1")}, "2": {"L": ("1", "1")},
                                  "3": {"L": ("2", "2")}}, p**4 * rr**2)
    pr = MutationSpec("proportional", rate=0.1)
    mk = [marker(freqs={"1": p, "2": q}, female=pr, male=pr)]
    rr = 0.1 / (2 * p * q) * q   # proportional: M[1,2] = alpha * q
    check_lik(nuclear_ped(), mk, {"1": {"L": ("1", "1")}, "3": {"L": ("2", "2")}},
              p**2 * q * rr)


@pytest.mark.parametrize("p", [.2, .3])
def test_b6_loop_father_daughter_mating(p):
    # pedprobr test-loops.R: 5 is the son of 1 and his daughter 3; 6 the son of 5 and 3 (f = 3/8)
    ped = Pedigree([Person("1", sex=Sex.MALE), Person("2", sex=Sex.FEMALE),
                    Person("3", "1", "2", Sex.FEMALE), Person("4", "1", "2", Sex.FEMALE),
                    Person("5", "1", "3", Sex.MALE), Person("6", "5", "3", Sex.MALE)])
    mk = [marker(freqs={"1": p, "2": 1 - p})]
    check_lik(ped, mk, {"6": {"L": ("1", "1")}}, p**2 + 3 / 8 * p * (1 - p))


def test_b6_loop_half_sib_mating_and_x_loop():
    # pedprobr test-loops.R: 6 is the child of paternal half siblings 4 and 5 (f = 1/8)
    ped = Pedigree([Person("1", sex=Sex.MALE), Person("2", sex=Sex.FEMALE),
                    Person("3", sex=Sex.FEMALE), Person("4", "1", "2", Sex.MALE),
                    Person("5", "1", "3", Sex.FEMALE), Person("6", "4", "5", Sex.MALE)])
    p1, p2 = .2, .3
    check_lik(ped, [marker(freqs={"1": p1, "2": 1 - p1})], {"6": {"L": ("1", "1")}},
              p1**2 + 1 / 8 * p1 * (1 - p1))
    check_lik(ped, [marker(freqs={"1": p2, "2": 1 - p2})], {"6": {"L": ("1", "2")}},
              2 * p2 * (1 - p2) * 7 / 8)
    # X: maternal half siblings 4 (male) and 5 (female) have son 6; 4 and 6 carry X allele 1
    xped = Pedigree([Person("1", sex=Sex.FEMALE), Person("2", sex=Sex.MALE),
                     Person("3", sex=Sex.MALE), Person("4", "2", "1", Sex.MALE),
                     Person("5", "3", "1", Sex.FEMALE), Person("6", "4", "5", Sex.MALE)])
    p, q = .2, .8
    check_lik(xped, [marker(chromosome="X", freqs={"1": p, "2": q})],
              {"4": {"L": ("1",)}, "6": {"L": ("1",)}}, p**2 + p * q / 4)


def test_b6_theta_on_a_loop_counts_founders_once():
    ped = Pedigree([Person("1", sex=Sex.MALE), Person("2", sex=Sex.FEMALE),
                    Person("3", sex=Sex.FEMALE), Person("4", "1", "2", Sex.MALE),
                    Person("5", "1", "3", Sex.FEMALE), Person("6", "4", "5", Sex.MALE)])
    p, theta = .3, .05
    check_lik(ped, [marker(freqs={"1": p, "2": 1 - p})], {"1": {"L": ("1", "1")}},
              p * (theta + (1 - theta) * p), theta=theta)


def test_b7_x_brothers_and_exclusion():
    p = .2
    mk = [marker(chromosome="X", freqs={"1": p, "2": 1 - p})]
    check_lik(nuclear_ped(2), mk, {"3": {"L": ("1",)}, "4": {"L": ("1",)}}, p * 0.5 * (1 + p))
    check_lik(nuclear_ped(1), mk, {"1": {"L": ("1",)}, "2": {"L": ("1", "1")},
                                   "3": {"L": ("2",)}}, 0.0)


def test_b8_empty_and_inbred_founder():
    ped = nuclear_ped()
    assert reference_log_likelihood(ped, [], {}).shape == (0,)
    need_engine()
    assert log_likelihood(ped, [], {}).shape == (0,)
    eq = MutationSpec("equal", rate=0.3)
    check_lik(ped, [marker(freqs=SNP, female=eq, male=eq)], {}, 1.0)     # untyped marker
    p, q = .1, .9
    mk = [marker(freqs={"1": p, "2": q})]
    g = {"1": {"L": ("1", "1")}, "2": {"L": ("1", "2")}, "3": {"L": ("1", "1")}}
    check_lik(ped, mk, g, p**2 * 2 * p * q * 0.5)
    check_lik(ped, mk, g, p * 2 * p * q * 0.5, founder_inbreeding={"1": 1.0})


# --- relationship builders: κ coefficients and inbreeding (NRC II 1996 ch. 4; Weir, Anderson &
# Hepler 2006, Nat Rev Genet 7:771, table 1) ----------------------------------------------------

@pytest.mark.parametrize("build,kappa", [
    ("first_cousins", (3 / 4, 1 / 4, 0.0)),
    ("second_cousins", (15 / 16, 1 / 16, 0.0)),
    ("double_first_cousins", (9 / 16, 6 / 16, 1 / 16)),
    ("full_siblings", (1 / 4, 1 / 2, 1 / 4)),
    ("parent_child", (0.0, 1.0, 0.0)),
])
def test_kappa_lr_homozygous_pair(build, kappa):
    # LR for a/a, a/a = κ0 + κ1/pa + κ2/pa²
    from homecoming import pedigree as builders
    f = getattr(builders, build)
    ped = f(parent="S1", child="S2") if build == "parent_child" else f("S1", "S2")
    k0, k1, k2 = kappa
    pa = .1
    _sibs(("a", "a"), ("a", "a"), k0 + k1 / pa + k2 / pa ** 2, ped=ped)
    # and for a/b, a/b: κ0 + κ1 (pa+pb)/(4 pa pb) + κ2 / (2 pa pb)
    pb = .2
    _sibs(("a", "b"), ("a", "b"), k0 + k1 * (pa + pb) / (4 * pa * pb) + k2 / (2 * pa * pb),
          ped=ped)


@pytest.mark.parametrize("build,f", [("cousin_marriage", 1 / 16), ("sibling_mating", 1 / 4)])
def test_inbred_child_homozygote(build, f):
    from homecoming import pedigree as builders
    ped = getattr(builders, build)(child="X")
    for allele, p in P.items():
        check_lik(ped, [marker()], {"X": {"L": (allele, allele)}}, p * p + f * p * (1 - p))
    check_lik(ped, [marker()], {"X": {"L": ("a", "b")}}, 2 * .1 * .2 * (1 - f))
