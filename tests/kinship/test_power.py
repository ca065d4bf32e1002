"""Exclusion and identification power (homecoming.kinship.power): hand-derived values, a
brute-force reference (tests/reference/power.py) and simulation against exact values.

Frequencies (SYNTHETIC): L1 alleles a, b, c, d with p = .1, .2, .3, .4; STR alleles 9–13 with
p = .1, .2, .3, .25, .15. Tolerance 1e-9 for exact values; simulated values within 4 standard
errors of the exact ones.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from homecoming.errors import HypothesisError, InputError
from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.kinship.distribution import genotype_distributions
from homecoming.kinship.power import exclusion_power, identification_power, power_tables
from homecoming.pedigree.pedigree import Pedigree, Person, Sex
from tests.reference.power import reference_exclusion_power

M, F = Sex.MALE, Sex.FEMALE
TOL = 1e-9
P = {"a": .1, "b": .2, "c": .3, "d": .4}
L1 = Marker("L1", tuple(P), list(P.values()))
STR_P = {"9": .1, "10": .2, "11": .3, "12": .25, "13": .15}


def str_marker(name: str = "S1", model: str | None = None, rate: float = 0.01) -> Marker:
    spec = None if model is None else MutationSpec(model, rate=rate)
    return Marker(name, tuple(STR_P), list(STR_P.values()), mutation_female=spec,
                  mutation_male=spec)


TRIO = Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("MP", "FA", "MO", M)])
FATHER_MISSING = Pedigree([Person("MP", sex=M), Person("MO", sex=F),
                           Person("CH", "MP", "MO", M)])
SIBS = Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("S1", "FA", "MO", F),
                 Person("MP", "FA", "MO", M)])


def ep_of(ped, markers, genotypes, missing="MP"):
    return exclusion_power(power_tables(ped, markers, genotypes, missing))


def test_one_typed_parent():
    """A parent a/b typed, the missing person is the child: a random person is excluded
    exactly when he carries neither a nor b, EP = (1 − pₐ − p_b)² = 0.49."""
    got = ep_of(TRIO, [L1], {"FA": {"L1": ("a", "b")}})
    assert got.per_marker["L1"] == pytest.approx((1 - .1 - .2) ** 2, abs=TOL)
    assert got.total == pytest.approx(0.49, abs=TOL)
    assert got.mutation_used == {"L1": False}


def test_both_parents_typed():
    """Parents a/b and c/d: the child takes one of {a, b} and one of {c, d}; a random person
    is not excluded with probability 2(pₐ + p_b)(p_c + p_d) = 2·.3·.7 = .42, EP = .58."""
    got = ep_of(TRIO, [L1], {"FA": {"L1": ("a", "b")}, "MO": {"L1": ("c", "d")}})
    assert got.per_marker["L1"] == pytest.approx(1 - 2 * .3 * .7, abs=TOL)


def test_typed_child_missing_father():
    """A child a/a (mother untyped), the missing person his father: the father must carry a;
    EP = (1 − pₐ)² = .81."""
    got = ep_of(FATHER_MISSING, [L1], {"CH": {"L1": ("a", "a")}})
    assert got.per_marker["L1"] == pytest.approx(.81, abs=TOL)


def test_sibling_never_excludes():
    """A full sibling with untyped parents excludes nobody: any genotype is possible, EP = 0."""
    got = ep_of(SIBS, [L1], {"S1": {"L1": ("a", "b")}})
    assert got.per_marker["L1"] == pytest.approx(0.0, abs=TOL)
    assert got.total == pytest.approx(0.0, abs=TOL)


def test_total_over_markers():
    """Two markers, EP .49 and .81 (one parent a/b; at the second marker the parent is d/d so
    EP = (1 − p_d)² = .36): total 1 − (1 − .49)(1 − .36) = .6736."""
    l2 = Marker("L2", tuple(P), list(P.values()))
    got = ep_of(TRIO, [L1, l2], {"FA": {"L1": ("a", "b"), "L2": ("d", "d")}})
    assert got.per_marker["L2"] == pytest.approx(.36, abs=TOL)
    assert got.total == pytest.approx(1 - .51 * .64, abs=TOL)


def test_inconsistent_marker_keeps_its_model():
    """Mother 10/10, child 11/11, missing father. Without mutation the mother cannot give 11,
    so the marker keeps its model. Proportional mutation makes every father possible: EP = 0.
    Onestep (±1 only): the child's paternal 11 comes from a father's 10, 11 or 12, so a father
    with neither is excluded: EP = (1 − p10 − p11 − p12)² = (1 − .75)² = .0625."""
    ped = Pedigree([Person("MP", sex=M), Person("MO", sex=F), Person("CH", "MP", "MO", M)])
    data = {"MO": {"S1": ("10", "10")}, "CH": {"S1": ("11", "11")}}
    got = ep_of(ped, [str_marker(model="proportional")], data)
    assert got.per_marker["S1"] == pytest.approx(0.0, abs=TOL)
    assert got.mutation_used == {"S1": True}
    got = ep_of(ped, [str_marker(model="onestep")], data)
    assert got.per_marker["S1"] == pytest.approx(.25 ** 2, abs=TOL)


def test_inconsistent_without_a_model_has_no_value():
    """Mother 9/9 and child 13/13 are inconsistent without mutation and with onestep (a
    four-step change): no value, and the marker is left out of the total (here: only L1,
    EP .49)."""
    ped = Pedigree([Person("MP", sex=M), Person("MO", sex=F), Person("CH", "MP", "MO", M)])
    l1 = Marker("L1", tuple(P), list(P.values()))
    data = {"MO": {"S1": ("9", "9"), "S2": ("9", "9")},
            "CH": {"S1": ("13", "13"), "S2": ("13", "13"), "L1": ("a", "a")}}
    got = ep_of(ped, [str_marker("S1", "onestep"), str_marker("S2"), l1], data)
    assert got.per_marker["S1"] is None and got.per_marker["S2"] is None
    assert got.per_marker["L1"] == pytest.approx(.81, abs=TOL)
    assert got.total == pytest.approx(.81, abs=TOL)


CATALOGUE = [
    ("trio, one parent", TRIO, {"FA": {"S1": ("10", "12")}}),
    ("trio, both parents", TRIO, {"FA": {"S1": ("10", "12")}, "MO": {"S1": ("11", "11")}}),
    ("father missing", FATHER_MISSING, {"MO": {"S1": ("9", "10")}, "CH": {"S1": ("10", "13")}}),
    ("grandparent", Pedigree([Person("GF", sex=M), Person("GM", sex=F), Person("FA", "GF", "GM", M),
                              Person("MO", sex=F), Person("MP", "FA", "MO", F)]),
     {"GF": {"S1": ("9", "11")}, "GM": {"S1": ("12", "13")}}),
    ("half sibling and mother", Pedigree([Person("F1", sex=M), Person("F2", sex=M),
                                          Person("MO", sex=F), Person("H", "F1", "MO", M),
                                          Person("MP", "F2", "MO", M)]),
     {"H": {"S1": ("10", "11")}, "MO": {"S1": ("11", "12")}}),
]


@pytest.mark.parametrize("model", [None, "proportional", "onestep"])
@pytest.mark.parametrize("name,ped,data", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_against_brute_force(name, ped, data, model):
    marker = str_marker(model=model)
    got = ep_of(ped, [marker], data)
    want, total = reference_exclusion_power(ped, [marker], data, "MP")
    assert got.per_marker["S1"] == pytest.approx(want["S1"], abs=TOL)
    assert got.total == pytest.approx(total, abs=TOL)


def test_brute_force_with_mutation_needed_and_silent_allele():
    """S1: mother 10/10, child 12/12 are inconsistent without mutation (a two-step change),
    so the proportional model is kept. S2 has a silent allele s (p_s = .05)."""
    ped = FATHER_MISSING
    data = {"MO": {"S1": ("10", "10"), "S2": ("9", "9")},
            "CH": {"S1": ("12", "12"), "S2": ("10", "10")}}
    silent = Marker("S2", tuple(STR_P), [v * 0.95 for v in STR_P.values()],
                    silent_frequency=0.05)
    markers = [str_marker("S1", "proportional"), silent]
    got = ep_of(ped, markers, data)
    want, total = reference_exclusion_power(ped, markers, data, "MP")
    assert got.per_marker == pytest.approx(want, abs=TOL)
    assert got.total == pytest.approx(total, abs=TOL)
    # S2 by hand: the child shows only 10 and the mother only 9, so the mother is 9/s, the
    # child 10/s with s from her, and the father carries 10 (p10 = .19). A random person is
    # excluded when he shows no 10 but shows something (s/s shows nothing and cannot be
    # excluded): EP = (1 − p10)² − p_s² = .6561 − .0025 = .6536
    assert got.per_marker["S2"] == pytest.approx((1 - .19) ** 2 - .05 ** 2, abs=TOL)


def test_missing_person_must_be_untyped_and_present():
    with pytest.raises(HypothesisError, match="missing person 'XX'"):
        power_tables(TRIO, [L1], {}, "XX")
    with pytest.raises(HypothesisError, match="is typed"):
        power_tables(TRIO, [L1], {"MP": {"L1": ("a", "a")}}, "MP")


def test_genotype_distribution_of_a_child():
    """Father a/b typed: P(child aa) = ½pₐ, P(ab) = ½(pₐ + p_b), P(ac) = ½p_c, P(cc) = 0."""
    (dist,) = genotype_distributions(TRIO, [L1], {"FA": {"L1": ("a", "b")}}, "MP")
    prob = dict(zip(dist.genotypes, dist.probabilities()))
    assert prob[("a", "a")] == pytest.approx(.05, abs=TOL)
    assert prob[("a", "b")] == pytest.approx(.15, abs=TOL)
    assert prob[("a", "c")] == pytest.approx(.15, abs=TOL)
    assert prob[("c", "c")] == pytest.approx(0.0, abs=TOL)
    assert sum(prob.values()) == pytest.approx(1.0, abs=TOL)
    assert math.exp(dist.log_data) == pytest.approx(2 * .1 * .2, abs=TOL)


def test_identification_power_one_parent_exact_and_simulated():
    """One parent a/b typed, one marker. Under H1 the child's genotype g has LR(g) =
    P(g | parent)/P(g): aa → ½pₐ/pₐ² = 5, ab → ½(pₐ+p_b)/(2pₐp_b) = 3.75, ac → ½p_c/(2pₐp_c)
    = 2.5, ad → 2.5, bb → 2.5, bc → 1.25, bd → 1.25; others 0. So
    E₁[log10 LR] = Σ P₁(g) log10 LR(g) with P₁ = .05, .15, .15, .2, .1, .15, .2, and
    P₁(LR ≥ 3) = .05 + .15 = .2; under H2, P₂(LR = 0) = EP = .49."""
    tables = power_tables(TRIO, [L1], {"FA": {"L1": ("a", "b")}}, "MP")
    power = identification_power(tables, simulations=20000, threshold=3.0, seed=7)
    p1 = [.05, .15, .15, .2, .1, .15, .2]
    lr = [5, 3.75, 2.5, 2.5, 2.5, 1.25, 1.25]
    exact = sum(p * math.log10(x) for p, x in zip(p1, lr))
    assert power.related.expected_log10_lr == pytest.approx(exact, abs=TOL)
    assert power.related.per_marker_expected_log10_lr["L1"] == pytest.approx(exact, abs=TOL)
    assert power.unrelated.expected_log10_lr is None           # −∞: exclusions possible
    # H2 not excluded: genotypes aa, ab, ac, ad, bb, bc, bd with HW weights
    p2 = [.01, .04, .06, .08, .04, .12, .16]
    cond = sum(p * math.log10(x) for p, x in zip(p2, lr)) / sum(p2)
    assert power.unrelated.expected_log10_lr_not_excluded == pytest.approx(cond, abs=TOL)
    related, unrelated = power.related, power.unrelated
    assert abs(related.p_at_least_threshold - .2) < 4 * related.p_at_least_threshold_se
    assert related.p_excluded == 0.0
    assert abs(related.mean_log10_lr - exact) < 4 * related.mean_log10_lr_se
    se_excluded = math.sqrt(.49 * .51 / 20000)
    assert abs(unrelated.p_excluded - .49) < 4 * se_excluded
    assert abs(unrelated.mean_log10_lr - cond) < 4 * unrelated.mean_log10_lr_se
    # P₂(LR ≥ 3) = P₂(aa or ab) = .05
    assert abs(unrelated.p_at_least_threshold - .05) < 4 * math.sqrt(.05 * .95 / 20000)


def test_identification_power_is_seeded_and_checks_inputs():
    tables = power_tables(TRIO, [L1, str_marker()],
                          {"FA": {"L1": ("a", "b"), "S1": ("10", "11")}}, "MP")
    a = identification_power(tables, simulations=500, threshold=10.0, seed=3)
    b = identification_power(tables, simulations=500, threshold=10.0, seed=3)
    assert a == b
    with pytest.raises(InputError, match="simulations"):
        identification_power(tables, simulations=0, threshold=10.0, seed=3)
    with pytest.raises(InputError, match="threshold"):
        identification_power(tables, simulations=10, threshold=0.0, seed=3)


def test_expected_log_lr_adds_over_markers():
    """Markers are independent: the exact expectation of the total is the sum of the
    per-marker ones, and the simulated mean of the total agrees within 4 SE."""
    data = {"FA": {"L1": ("a", "b"), "S1": ("10", "11")}, "MO": {"S1": ("12", "12")}}
    tables = power_tables(TRIO, [L1, str_marker()], data, "MP")
    power = identification_power(tables, simulations=20000, threshold=100.0, seed=11)
    terms = power.related.per_marker_expected_log10_lr
    assert power.related.expected_log10_lr == pytest.approx(terms["L1"] + terms["S1"], abs=TOL)
    assert abs(power.related.mean_log10_lr - power.related.expected_log10_lr) < (
        4 * power.related.mean_log10_lr_se)
    assert np.isfinite(power.related.expected_log10_lr)


DIST_CASES = [
    # (name, pedigree, data, kwargs)
    ("theta", TRIO, {"FA": {"S1": ("10", "12")}}, {"theta": 0.02}),
    ("dropout on a reference", FATHER_MISSING,
     {"MO": {"S1": ("9", "10")}, "CH": {"S1": ("10", "10")}}, {"dropout": {"CH": 0.1}}),
    ("inbred founder", TRIO, {"MO": {"S1": ("11", "11")}}, {"founder_inbreeding": {"FA": 0.25}}),
    ("sibling", SIBS, {"S1": {"S1": ("9", "13")}}, {}),
]


@pytest.mark.parametrize("model", [None, "stepwise"])
@pytest.mark.parametrize("name,ped,data,kwargs", DIST_CASES, ids=[c[0] for c in DIST_CASES])
def test_genotype_distribution_against_oracle(name, ped, data, kwargs, model):
    """Every entry of the distribution equals the reference likelihood with the missing
    person typed so (and P(data) the reference likelihood without him)."""
    from tests.reference.oracle import reference_log_likelihood

    spec = None if model is None else MutationSpec("stepwise", rate=0.01, rate2=1e-6, range=0.5)
    marker = Marker("S1", tuple(STR_P), list(STR_P.values()), mutation_female=spec,
                    mutation_male=spec)
    (dist,) = genotype_distributions(ped, [marker], data, "MP", **kwargs)
    want_data = reference_log_likelihood(ped, [marker], data, **kwargs)[0]
    assert dist.log_data == pytest.approx(want_data, abs=TOL)
    for genotype, got in zip(dist.genotypes, dist.log_joint):
        full = {**data, "MP": {"S1": genotype}}
        want = reference_log_likelihood(ped, [marker], full, **kwargs)[0]
        assert got == pytest.approx(want, abs=TOL), genotype
    assert dist.probabilities().sum() == pytest.approx(1.0, abs=TOL)


def test_genotype_distribution_x_male_and_silent_against_oracle():
    """An X-linked missing son shows one allele; a silent allele leaves mass unobserved."""
    from tests.reference.oracle import reference_log_likelihood

    x = Marker("X1", tuple(STR_P), [v * 0.9 for v in STR_P.values()], chromosome="X",
               silent_frequency=0.1)
    data = {"MO": {"X1": ("10", "10")}}
    (dist,) = genotype_distributions(TRIO, [x], data, "MP")
    assert dist.genotypes == tuple((a,) for a in STR_P)
    for genotype, got in zip(dist.genotypes, dist.log_joint):
        want = reference_log_likelihood(TRIO, [x], {**data, "MP": {"X1": genotype}})[0]
        assert got == pytest.approx(want, abs=TOL)
    # the son shows nothing when he got his mother's silent allele: she shows only 10, so she
    # is 10/s with probability 2·p10·s / (p10² + 2·p10·s) = 2·.1 / (.18 + .2) (p10 = .18,
    # s = .1), and passes s with probability ½
    assert dist.unobserved == pytest.approx(0.5 * 0.2 / 0.38, abs=TOL)


def test_many_rows_are_batched_exactly():
    """A 45-allele marker (1035 genotypes, more rows than one batch holds): every entry
    equals a one-row log_likelihood call."""
    from homecoming.kinship.likelihood import MAX_BATCH_ROWS, log_likelihood

    n = 45
    freqs = np.arange(1, n + 1, dtype=float)
    big = Marker("B", tuple(str(5 + i) for i in range(n)), freqs / freqs.sum(),
                 mutation_female=MutationSpec("proportional", rate=0.005),
                 mutation_male=MutationSpec("proportional", rate=0.005))
    data = {"FA": {"B": ("7", "30")}}
    (dist,) = genotype_distributions(TRIO, [big], data, "MP")
    assert len(dist.genotypes) == n * (n + 1) // 2 > MAX_BATCH_ROWS
    for k in (0, 1, 57, 512, 513, 900, len(dist.genotypes) - 1):
        one = log_likelihood(TRIO, [big], {**data, "MP": {"B": dist.genotypes[k]}})[0]
        assert dist.log_joint[k] == pytest.approx(one, abs=TOL)
    assert dist.probabilities().sum() == pytest.approx(1.0, abs=TOL)
