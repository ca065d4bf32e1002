"""Lineage markers (homecoming.kinship.lineage): Y-STR LRs along the paternal line, mtDNA
comparison and LR, Clopper–Pearson haplotype frequencies, combination — against hand
computation. Haplotypes, counts and mutation rates are SYNTHETIC (rates chosen for easy
arithmetic, not published values)."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binom

from homecoming.errors import InputError
from homecoming.kinship.lineage import (
    combine_lrs,
    compare_mtdna,
    haplotype_frequency,
    mtdna_lr,
    step_change_probability,
    y_lr,
)

TOL = 1e-12


def test_clopper_pearson_upper_bound():
    """x = 0: the bound solves (1 − p)^N = 1 − c, p = 1 − 0.05^(1/1000) ≈ 0.0029912.
    x = 3: the bound p_U solves P(X ≤ 3 | N = 1000, p_U) = 0.05 (binomial), by definition."""
    zero = haplotype_frequency(0, 1000)
    assert zero.estimate == 0.0
    assert zero.upper_bound == pytest.approx(1 - 0.05 ** (1 / 1000), abs=TOL)
    assert zero.upper_bound == pytest.approx(0.0029912, abs=1e-7)
    three = haplotype_frequency(3, 1000, confidence=0.95)
    assert three.estimate == pytest.approx(0.003, abs=TOL)
    assert binom.cdf(3, 1000, three.upper_bound) == pytest.approx(0.05, abs=1e-9)
    assert three.upper_bound > three.estimate
    assert haplotype_frequency(5, 5).upper_bound == 1.0
    for bad in ((-1, 10), (11, 10), (1, 0)):
        with pytest.raises(InputError):
            haplotype_frequency(*bad)
    with pytest.raises(InputError, match="confidence"):
        haplotype_frequency(1, 10, confidence=1.0)


def test_step_change_by_hand():
    """One meiosis: stay 1 − μ, ±1 μ/2. Two: d = 0 by (stay, stay) or (+1, −1) or (−1, +1):
    (1 − μ)² + μ²/2; d = 1: 2(1 − μ)μ/2 = μ(1 − μ); d = 2: μ²/4; d = 3: 0."""
    mu = 0.01
    assert step_change_probability(0, 1, mu) == pytest.approx(.99, abs=TOL)
    assert step_change_probability(-1, 1, mu) == pytest.approx(.005, abs=TOL)
    assert step_change_probability(0, 2, mu) == pytest.approx(.99 ** 2 + .0001 / 2, abs=TOL)
    assert step_change_probability(1, 2, mu) == pytest.approx(.01 * .99, abs=TOL)
    assert step_change_probability(2, 2, mu) == pytest.approx(.0001 / 4, abs=TOL)
    assert step_change_probability(3, 2, mu) == 0.0
    assert step_change_probability(0, 0, mu) == 1.0


def test_y_lr_brothers_one_step_difference():
    """Brothers (2 meioses), rates .002, .004, .01; DYS_B differs by one repeat, DYS_D is
    missing in one haplotype (skipped). H1 probability:
    [(.998)² + .002²/2] · [.004 · .996] · [(.99)² + .01²/2]; frequency .003; LR = that / .003."""
    tested = {"DYS_A": "14", "DYS_B": "12", "DYS_C": "23", "DYS_D": None}
    reference = {"DYS_A": "14", "DYS_B": "13", "DYS_C": "23", "DYS_D": "10"}
    rates = {"DYS_A": .002, "DYS_B": .004, "DYS_C": .01}
    got = y_lr(tested, reference, meioses=2, rates=rates, frequency=.003)
    p = ((.998 ** 2 + .002 ** 2 / 2) * (.004 * .996) * (.99 ** 2 + .01 ** 2 / 2))
    assert got.probability_h1 == pytest.approx(p, rel=1e-12)
    assert got.lr == pytest.approx(p / .003, rel=1e-12)
    assert got.skipped == ["DYS_D"]
    assert [r.difference for r in got.loci] == [0, 1, 0]
    assert got.log10_lr == pytest.approx(math.log10(p / .003), rel=1e-12)
    # an intermediate allele can only match exactly: 13 vs 13.2 gives 0
    off = y_lr({"DYS_A": "13"}, {"DYS_A": "13.2"}, meioses=1, rates=rates, frequency=.5)
    assert off.lr == 0.0 and off.log10_lr is None
    # a full match with the father: (1 − μ) per locus
    same = y_lr({"DYS_A": "14"}, {"DYS_A": "14"}, meioses=1, rates=rates, frequency=.01)
    assert same.lr == pytest.approx(.998 / .01, rel=1e-12)
    with pytest.raises(InputError, match="no mutation rate"):
        y_lr({"X": "1"}, {"X": "1"}, meioses=1, rates={}, frequency=.5)


def test_mtdna_rules_and_lr():
    """C-stretch length variants ignored; a shared heteroplasmy is no difference; then
    0 → cannot exclude (LR 1/f), 1 → inconclusive (no LR), 2 → excluded (LR 0)."""
    base = ["16069T", "16126C", "73G", "263G", "295T"]
    same = compare_mtdna(base + ["309.1C", "315.1C", "16189C"],
                         base + ["315.1C", "16193.1C", "16189C"])
    assert same.conclusion == "cannot exclude" and same.differences == []
    assert same.ignored == ["16189C", "16193.1C", "309.1C", "315.1C"]
    hetero = compare_mtdna(base + ["16311Y"], base + ["16311C"])
    assert hetero.conclusion == "cannot exclude"
    # heteroplasmy against the rCRS base of the other (16311 is T in the rCRS)
    assert compare_mtdna(base + ["16311Y"], base,
                         reference_bases={16311: "T"}).conclusion == "cannot exclude"
    assert compare_mtdna(base + ["16311Y"], base).conclusion == "inconclusive"
    one = compare_mtdna(base, base[:-1])
    assert one.conclusion == "inconclusive" and one.differences == ["295T"]
    two = compare_mtdna(base + ["16270T"], base[:-1])
    assert two.conclusion == "excluded" and len(two.differences) == 2
    f = haplotype_frequency(0, 2000).upper_bound
    assert mtdna_lr(same, f) == pytest.approx(1 / f, rel=1e-12)
    assert mtdna_lr(one, f) is None
    assert mtdna_lr(two, f) == 0.0
    with pytest.raises(InputError, match="rCRS notation"):
        compare_mtdna(["not-a-variant"], [])


def test_combination_is_the_product():
    """Independent inheritance: 1e3 (autosomal) × 250 (Y) × 40 (mtDNA) = 1e7; an
    inconclusive lineage (None) is left out."""
    assert combine_lrs(1e3, 250.0, 40.0) == pytest.approx(1e7, rel=1e-12)
    assert combine_lrs(1e3, None, 40.0) == pytest.approx(4e4, rel=1e-12)
    assert combine_lrs(1e3, 0.0) == 0.0


def test_clopper_pearson_against_scipy_beta_ppf():
    """The upper bound is B⁻¹(0.95; x + 1, N − x) (scipy.stats.beta.ppf), for several x, N."""
    from scipy.stats import beta

    for x, n in ((1, 20), (1, 40), (2, 100), (7, 350), (19, 20)):
        got = haplotype_frequency(x, n).upper_bound
        assert got == pytest.approx(float(beta.ppf(0.95, x + 1, n - x)), rel=1e-12)
    # and by the definition: P(X <= 1 | N = 40, p_U) = 0.05; p_U = 0.113188 (rounded)
    assert binom.cdf(1, 40, haplotype_frequency(1, 40).upper_bound) == pytest.approx(
        0.05, abs=1e-9)
    assert haplotype_frequency(1, 40).upper_bound == pytest.approx(0.113188, abs=1e-6)


def test_y_one_step_mismatch_with_the_shipped_rate():
    """Paternal uncle (3 meioses), DYS458 differs by one repeat: P(d = 1 | 3, μ) =
    3·(μ/2)·(1 − μ)² + 3·(μ/2)²·(μ/2)… exactly: the ways to net +1 in 3 steps are one up and two
    stays (3·(μ/2)(1 − μ)²) or two up and one down (3·(μ/2)³); μ(DYS458) = 6.17e-3 (YHRD
    release 61, shipped). DYS19 matches: (1 − μ)³ + 6·(1 − μ)(μ/2)² with μ = 2.20e-3."""
    from homecoming.kinship.lineage import y_mutation_rates

    rates = y_mutation_rates()
    assert rates["DYS458"] == 6.17e-3 and rates["DYS19"] == 2.20e-3
    m, u = rates["DYS458"], rates["DYS19"]
    p_step = 3 * (m / 2) * (1 - m) ** 2 + 3 * (m / 2) ** 3
    p_same = (1 - u) ** 3 + 6 * (1 - u) * (u / 2) ** 2
    assert step_change_probability(1, 3, m) == pytest.approx(p_step, rel=1e-12)
    assert step_change_probability(0, 3, u) == pytest.approx(p_same, rel=1e-12)
    f = haplotype_frequency(0, 40).upper_bound
    got = y_lr({"DYS458": "18", "DYS19": "14"}, {"DYS458": "17", "DYS19": "14"}, meioses=3,
               rates=rates, frequency=f)
    assert got.lr == pytest.approx(p_step * p_same / f, rel=1e-12)
    assert got.lr < 1    # a mutation between uncle and nephew is weaker than a match


def test_mtdna_exclusion_vs_length_variant_and_deletions():
    """Two real differences exclude; a length variant in the HV2 C-stretch does not count;
    249d, 249del and 249DEL are the same deletion; upper-case D is IUPAC (A/G/T)."""
    base = ["16069T", "16126C", "263G"]
    assert compare_mtdna(base + ["309.1C", "310.1C"], base).conclusion == "cannot exclude"
    assert compare_mtdna(base + ["16311C", "195C"], base).conclusion == "excluded"
    assert compare_mtdna(base + ["249d"], base + ["249DEL"]).conclusion == "cannot exclude"
    assert compare_mtdna(base + ["249del"], base + ["249DEL"]).differences == []
    assert compare_mtdna(base + ["249D"], base + ["249A"]).conclusion == "cannot exclude"
    assert compare_mtdna(base + ["249d"], base + ["249A"]).differences == ["249DEL/A"]


def test_paternal_and_maternal_line_meioses():
    """father 1, brother 2, paternal uncle 3, father's brother's son 4; the maternal uncle is
    not on the paternal line; a sister is on the maternal line (2), a daughter is not male."""
    from homecoming.kinship.lineage import maternal_line_meioses, paternal_line_meioses
    from homecoming.pedigree.pedigree import Pedigree, Person, Sex

    ped = Pedigree([Person("GF", sex=Sex.MALE), Person("GM", sex=Sex.FEMALE),
                    Person("MGF", sex=Sex.MALE), Person("MGM", sex=Sex.FEMALE),
                    Person("F", "GF", "GM", Sex.MALE), Person("M", "MGF", "MGM", Sex.FEMALE),
                    Person("PU", "GF", "GM", Sex.MALE), Person("AU", sex=Sex.FEMALE),
                    Person("MU", "MGF", "MGM", Sex.MALE), Person("C", "PU", "AU", Sex.MALE),
                    Person("MP", "F", "M", Sex.MALE), Person("B", "F", "M", Sex.MALE),
                    Person("S", "F", "M", Sex.FEMALE)])
    assert [paternal_line_meioses(ped, "MP", x) for x in ("F", "B", "PU", "C", "MU", "S")] \
        == [1, 2, 3, 4, None, None]
    assert [maternal_line_meioses(ped, "MP", x) for x in ("M", "S", "MU", "F", "PU")] \
        == [1, 2, 3, None, None]
