"""Fast likelihood engine against hand-derived values (all frequencies synthetic).

Each expected value is derived in the comment beside it from the model in
``homecoming.kinship.likelihood`` (Mendel, Hardy–Weinberg founders, Balding–Nichols urn).
"""

import math

import numpy as np
import pytest

from homecoming.errors import GenotypeError, HypothesisError, InputError
from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.kinship.likelihood import log_likelihood
from homecoming.kinship.lr import Hypothesis, kinship_lr
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

M, F = Sex.MALE, Sex.FEMALE
PA, PB, PC, PD = 0.1, 0.2, 0.3, 0.4
MK = Marker("L1", ("a", "b", "c", "d"), np.array([PA, PB, PC, PD]))
MKX = Marker("X1", ("a", "b", "c", "d"), np.array([PA, PB, PC, PD]), chromosome="X")

ONE = Pedigree([Person("A", sex=M)])
DUO = Pedigree([Person("AF", sex=M), Person("MO", sex=F), Person("CH", "AF", "MO", M)])
UNREL = Pedigree([Person("AF", sex=M), Person("CH", sex=M)])
SIBS = Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("S1", "FA", "MO", M),
                 Person("S2", "FA", "MO", F)])
UNREL_SIBS = Pedigree([Person("S1", sex=M), Person("S2", sex=F)])


def lik(ped, gts, markers=(MK,), **kw):
    return np.exp(log_likelihood(ped, list(markers), gts, **kw))


def lr(h1, h0, gts, markers=(MK,), **kw):
    return float(np.exp(np.sum(log_likelihood(h1, list(markers), gts, **kw))
                        - np.sum(log_likelihood(h0, list(markers), gts, **kw))))


def close(x, y):
    assert float(x) == pytest.approx(y, rel=1e-12, abs=0)


# --- single person (Hardy–Weinberg) -------------------------------------------------------------
def test_single_person_hardy_weinberg():
    close(lik(ONE, {"A": {"L1": ("a", "a")}})[0], PA * PA)
    close(lik(ONE, {"A": {"L1": ("b", "d")}})[0], 2 * PB * PD)
    # partial genotype: at least one copy of c
    close(lik(ONE, {"A": {"L1": ("c", None)}})[0], 1 - (1 - PC) ** 2)
    # untyped and fully unknown: probability 1
    close(lik(ONE, {"A": {"L1": (None, None)}})[0], 1.0)
    close(lik(ONE, {})[0], 1.0)


def test_no_markers_gives_empty_array():
    assert log_likelihood(ONE, [], {}).shape == (0,)


# --- parent–child and siblings ------------------------------------------------------------------
@pytest.mark.parametrize("af, ch, expected", [
    (("a", "a"), ("a", "a"), 1 / PA),                    # 1/p_a
    (("a", "a"), ("a", "b"), 1 / (2 * PA)),              # 1/(2 p_a)
    (("a", "c"), ("a", "b"), 1 / (4 * PA)),              # 1/(4 p_a)
    (("a", "b"), ("a", "b"), (PA + PB) / (4 * PA * PB)),  # (p_a+p_b)/(4 p_a p_b)
    (("c", "d"), ("a", "b"), 0.0),                       # exclusion without mutation
])
def test_parent_child_lr(af, ch, expected):
    got = lr(DUO, UNREL, {"AF": {"L1": af}, "CH": {"L1": ch}})
    close(got, expected)


def test_trio_paternity_index():
    trio = Pedigree([Person("AF", sex=M), Person("MO", sex=F), Person("CH", "AF", "MO", M)])
    alt = Pedigree([Person("AF", sex=M), Person("X", sex=M), Person("MO", sex=F),
                    Person("CH", "X", "MO", M)])
    # mother a/b, child a/c, AF c/d: the paternal allele must be c -> 1/(2 p_c)
    gts = {"MO": {"L1": ("a", "b")}, "CH": {"L1": ("a", "c")}, "AF": {"L1": ("c", "d")}}
    close(lr(trio, alt, gts), 1 / (2 * PC))


@pytest.mark.parametrize("g1, g2, expected", [
    (("a", "a"), ("a", "a"), (1 + PA) ** 2 / (4 * PA ** 2)),
    (("a", "b"), ("a", "b"), (1 + PA + PB + 2 * PA * PB) / (8 * PA * PB)),
    (("a", "b"), ("a", "c"), (1 + 2 * PA) / (8 * PA)),
    (("a", "b"), ("c", "d"), 0.25),
])
def test_full_siblings_lr(g1, g2, expected):
    # IBD (κ0, κ1, κ2) = (1/4, 1/2, 1/4); e.g. ab/ab: 1/4 + 1/2·(p_a+p_b)/(4 p_a p_b)
    #   + 1/4 · 1/(2 p_a p_b) = (1 + p_a + p_b + 2 p_a p_b)/(8 p_a p_b)
    close(lr(SIBS, UNREL_SIBS, {"S1": {"L1": g1}, "S2": {"L1": g2}}), expected)


def test_full_siblings_likelihood_b2():
    # both 2/2 with p(1)=.2 (q=.8): likelihood q²·¼(1+q)²·... pedprobr B2 gives ¼q²(1+q)²
    mk = Marker("S", ("1", "2"), np.array([0.2, 0.8]))
    q = 0.8
    close(lik(SIBS, {"S1": {"S": ("2", "2")}, "S2": {"S": ("2", "2")}}, [mk])[0],
          0.25 * q * q * (1 + q) ** 2)


# --- loops --------------------------------------------------------------------------------------
def _sib_mating():
    return Pedigree([Person("GF", sex=M), Person("GM", sex=F), Person("B", "GF", "GM", M),
                     Person("S", "GF", "GM", F), Person("C", "B", "S", F)])


def _cousin_marriage():
    return Pedigree([
        Person("GF", sex=M), Person("GM", sex=F),
        Person("F1", "GF", "GM", M), Person("W1", sex=F),
        Person("M2", "GF", "GM", F), Person("H2", sex=M),
        Person("C1", "F1", "W1", M), Person("C2", "H2", "M2", F),
        Person("K", "C1", "C2", F)])


@pytest.mark.parametrize("ped, finb", [(_sib_mating(), 0.25), (_cousin_marriage(), 1 / 16)])
def test_inbred_child_homozygote(ped, finb):
    # child of an inbred mating: P(aa) = F p + (1 − F) p² with the inbreeding coefficient F
    child = "C" if "C" in ped else "K"
    close(lik(ped, {child: {"L1": ("c", "c")}})[0], finb * PC + (1 - finb) * PC ** 2)
    close(lik(ped, {child: {"L1": ("a", "c")}})[0], 2 * (1 - finb) * PA * PC)


# --- founder inbreeding -------------------------------------------------------------------------
def test_founder_inbreeding_b8():
    mk = Marker("S", ("1", "2"), np.array([0.1, 0.9]))
    p, q = 0.1, 0.9
    trio = Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("CH", "FA", "MO", M)])
    gts = {"FA": {"S": ("1", "1")}, "MO": {"S": ("1", "2")}, "CH": {"S": ("1", "1")}}
    close(lik(trio, gts, [mk])[0], p * p * 2 * p * q * 0.5)
    close(lik(trio, gts, [mk], founder_inbreeding={"FA": 1.0})[0], p * 2 * p * q * 0.5)
    f = 0.3   # P(aa) = f p + (1 − f) p², P(ab) = 2(1 − f) p q
    close(lik(ONE, {"A": {"S": ("1", "1")}}, [mk], founder_inbreeding={"A": f})[0],
          f * p + (1 - f) * p * p)
    close(lik(ONE, {"A": {"S": ("1", "2")}}, [mk], founder_inbreeding={"A": f})[0],
          2 * (1 - f) * p * q)


# --- mutation -----------------------------------------------------------------------------------
def test_exclusion_with_proportional_mutation():
    r = 0.005
    mk = Marker("L1", MK.alleles, MK.frequencies,
                mutation_female=MutationSpec("proportional", rate=r),
                mutation_male=MutationSpec("proportional", rate=r))
    # AF c/d, child a/b: α = r / (1 − Σp²); LR = α/(1-Σp²)·... = r/(1−Σp²)² · ... closed form
    # from §6 A15: the stationary proportional model gives LR = α/... = 0.0071428571 here.
    alpha = r / (1 - np.sum(MK.frequencies ** 2))
    # the father's c or d mutates to the child's paternal allele x with α p_x; the untyped
    # mother's allele is stationary (p M = p): P(duo) = 2 p_c p_d · (α p_a p_b + α p_b p_a),
    # unrelated 2 p_c p_d · 2 p_a p_b, so LR = α (§6 A15: 0.0071428571)
    got = lr(DUO, UNREL, {"AF": {"L1": ("c", "d")}, "CH": {"L1": ("a", "b")}}, [mk])
    close(got, alpha)
    assert got == pytest.approx(0.0071428571, abs=1e-10)


def test_stepwise_mutation_single_step():
    r = 0.01
    mk = Marker("S", ("10", "11", "12", "13"), np.array([0.25] * 4),
                mutation_male=MutationSpec("stepwise", rate=r, rate2=0.0, range=0.5))
    # AF 10/10, child 11/11 (mother untyped): the paternal 11 comes from 10 by one step.
    # stepwise from 10: weights 0.5^1, 0.5^2, 0.5^3 over 11, 12, 13 -> P(10→11) = r·(4/7)
    m1011 = r * 0.5 / (0.5 + 0.25 + 0.125)
    close(lr(DUO, UNREL, {"AF": {"S": ("10", "10")}, "CH": {"S": ("11", "11")}}, [mk]),
          m1011 / 0.25)


# --- X chromosome -------------------------------------------------------------------------------
def test_x_chromosome():
    fd = Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("D", "FA", "MO", F)])
    fs = Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("SO", "FA", "MO", M)])
    un_d = Pedigree([Person("FA", sex=M), Person("D", sex=F)])
    un_s = Pedigree([Person("FA", sex=M), Person("SO", sex=M)])
    close(lik(ONE, {"A": {"X1": ("b",)}}, [MKX])[0], PB)           # hemizygous male
    close(lik(ONE, {"A": {"X1": ("b", "b")}}, [MKX])[0], PB)       # written twice: same
    close(lr(fd, un_d, {"FA": {"X1": ("a",)}, "D": {"X1": ("a", "b")}}, [MKX]), 1 / (2 * PA))
    close(lr(fd, un_d, {"FA": {"X1": ("a",)}, "D": {"X1": ("a", "a")}}, [MKX]), 1 / PA)
    close(lr(fd, un_d, {"FA": {"X1": ("c",)}, "D": {"X1": ("a", "b")}}, [MKX]), 0.0)
    # a father passes nothing to a son on X: LR 1 whatever the alleles
    close(lr(fs, un_s, {"FA": {"X1": ("c",)}, "SO": {"X1": ("a",)}}, [MKX]), 1.0)
    # brothers both hemizygous a (B7): p·½(1 + p)
    bro = Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("B1", "FA", "MO", M),
                    Person("B2", "FA", "MO", M)])
    close(lik(bro, {"B1": {"X1": ("a",)}, "B2": {"X1": ("a",)}}, [MKX])[0],
          PA * 0.5 * (1 + PA))


# --- silent alleles and dropout -----------------------------------------------------------------
def test_silent_allele():
    s = 0.05
    mk = Marker("L1", ("a", "b", "c"), np.array([0.2, 0.3, 0.45]), silent_frequency=s)
    pa, pb = 0.2, 0.3
    # a/a shows for a/a and a/silent
    close(lik(ONE, {"A": {"L1": ("a", "a")}}, [mk])[0], pa * pa + 2 * pa * s)
    close(lik(ONE, {"A": {"L1": ("a", "b")}}, [mk])[0], 2 * pa * pb)
    # apparent exclusion AF a/a, child b/b explained by a shared silent allele:
    # P(duo) = 2 p_a s · ½ · p_b (AF a/s passes s, mother passes b); LR = s/((p_a+2s)(p_b+2s))
    close(lr(DUO, UNREL, {"AF": {"L1": ("a", "a")}, "CH": {"L1": ("b", "b")}}, [mk]),
          s / ((pa + 2 * s) * (pb + 2 * s)))


def test_dropout_single_person():
    d = 0.2
    # only a seen: a/a with at least one copy showing, or a/x with x dropped
    close(lik(ONE, {"A": {"L1": ("a", None)}}, dropout={"A": d})[0],
          PA * PA * (1 - d * d) + 2 * PA * (1 - PA) * (1 - d) * d)
    close(lik(ONE, {"A": {"L1": ("a", "a")}}, dropout={"A": d})[0],
          PA * PA * (1 - d * d) + 2 * PA * (1 - PA) * (1 - d) * d)
    close(lik(ONE, {"A": {"L1": ("a", "b")}}, dropout={"A": d})[0], 2 * PA * PB * (1 - d) ** 2)


def test_dropout_rescues_exclusion():
    d = 0.1
    # AF a/a, child seen only b (the paternal a dropped): P(duo) = p_a² · (1−d)d · p_b ... exact:
    # child (a from AF, b from mother): shows only b with (1−d)·d; child (a, a) cannot show b.
    # P(duo) = p_a² · p_b · d(1−d); unrelated: p_a² · [p_b²(1−d²) + 2 p_b(1−p_b)(1−d)d]
    got = lr(DUO, UNREL, {"AF": {"L1": ("a", "a")}, "CH": {"L1": ("b", None)}},
             dropout={"CH": d})
    expected = PB * d * (1 - d) / (PB * PB * (1 - d * d) + 2 * PB * (1 - PB) * (1 - d) * d)
    close(got, expected)


# --- theta --------------------------------------------------------------------------------------
def test_theta_single_founder():
    th = 0.01
    mk = Marker("T", ("a", "b", "c"), np.array([0.3, 0.2, 0.5]))
    close(lik(ONE, {"A": {"T": ("a", "a")}}, [mk], theta=th)[0], 0.3 * (th + (1 - th) * 0.3))
    close(lik(ONE, {"A": {"T": ("a", "b")}}, [mk], theta=th)[0], 2 * 0.3 * 0.2 * (1 - th))


def test_theta_joint_founders_and_duo_a19():
    th = 0.01
    # two unrelated a/a: urn draws 1..4 all a: Π (kθ+(1−θ)p)/(1+(j−2)θ)
    expected = 1.0
    for j in range(1, 5):
        expected *= ((j - 1) * th + (1 - th) * PA) / (1 + (j - 2) * th)
    gts = {"AF": {"L1": ("a", "a")}, "CH": {"L1": ("a", "a")}}
    close(lik(UNREL, gts, theta=th)[0], expected)
    # A19: LR (1+2θ)/(3θ+(1−θ)p) with all founder alleles conditioned jointly
    close(lr(DUO, UNREL, gts, theta=th), (1 + 2 * th) / (3 * th + (1 - th) * PA))


def test_theta_with_mutation_and_many_founders_matches_urn_sum():
    # three unrelated people, heterozygous: joint urn probability of 6 draws, ordered pairs
    th = 0.05
    gts = {"P1": {"L1": ("a", "b")}, "P2": {"L1": ("a", "c")}, "P3": {"L1": ("a", "b")}}
    ped = Pedigree([Person("P1", sex=M), Person("P2", sex=F), Person("P3", sex=M)])
    p = {"a": PA, "b": PB, "c": PC}
    # any order of the draws has the same probability (exchangeable): a,b,a,c,a,b
    seq = ["a", "b", "a", "c", "a", "b"]
    prob, cnt = 1.0, {}
    for j, x in enumerate(seq, 1):
        prob *= (cnt.get(x, 0) * th + (1 - th) * p[x]) / (1 + (j - 2) * th)
        cnt[x] = cnt.get(x, 0) + 1
    close(lik(ped, gts, theta=th)[0], prob * 8)   # 2 orders per heterozygote


# --- numerics -----------------------------------------------------------------------------------
def test_no_underflow_many_people_and_markers():
    # 60 unrelated heterozygotes for alleles of frequency 1e-3: (2e-6)^60 = 1e-342 per marker
    alleles = tuple(str(i) for i in range(1000))
    mk = Marker("R", alleles, np.full(1000, 1e-3))
    people = [Person(f"P{i}", sex=M) for i in range(60)]
    ped = Pedigree(people)
    gts = {p.id: {"R": (str(2 * i), str(2 * i + 1))} for i, p in enumerate(people)}
    ll = log_likelihood(ped, [mk], gts)
    close(ll[0], 60 * math.log(2e-6))
    # 200 markers through kinship_lr: finite log LR equal to the sum of per-marker logs
    markers = [Marker(f"M{i}", ("a", "b", "c", "d"), np.array([PA, PB, PC, PD]))
               for i in range(200)]
    gts2 = {"AF": {m.name: ("a", "b") for m in markers},
            "CH": {m.name: ("a", "c") for m in markers}}
    res = kinship_lr([Hypothesis("pc", DUO), Hypothesis("un", UNREL)], markers, gts2,
                     reference="un")
    assert res.markers == tuple(m.name for m in markers)
    close(res.log10_lr("pc"), 200 * math.log10(1 / (4 * PA)))
    close(res.lr("pc"), 2.5 ** 200)
    total = res.log_likelihoods["pc"].sum()
    assert np.isfinite(total)
    close(total, 200 * math.log(2 * PA * PB * 2 * PA * PC / (4 * PA)))


def test_impossible_is_minus_inf_and_lr_zero():
    gts = {"AF": {"L1": ("c", "d")}, "CH": {"L1": ("a", "b")}}
    ll = log_likelihood(DUO, [MK], gts)
    assert ll[0] == -np.inf
    res = kinship_lr([Hypothesis("pc", DUO), Hypothesis("un", UNREL)], [MK], gts,
                     reference="un")
    assert res.lr("pc") == 0.0
    assert res.log10_lr("pc") == -math.inf
    assert res.per_marker_lr("pc") == {"L1": 0.0}


# --- kinship_lr ---------------------------------------------------------------------------------
def test_kinship_lr_multi_marker_and_provenance():
    mk2 = Marker("L2", ("1", "2"), np.array([0.05, 0.95]))
    gts = {"AF": {"L1": ("a", "a"), "L2": ("1", "1")}, "CH": {"L1": ("a", "a"), "L2": ("1", "1")}}
    res = kinship_lr([Hypothesis("pc", DUO), Hypothesis("un", UNREL)], [MK, mk2], gts,
                     reference="un", theta=0.0)
    close(res.lr("pc"), (1 / PA) * (1 / 0.05))          # A20-style product: 10 × 20
    pm = res.per_marker_lr("pc")
    close(pm["L1"], 1 / PA)
    close(pm["L2"], 1 / 0.05)
    close(res.lr("un"), 1.0)
    prov = res.provenance
    assert prov["software"].startswith("homecoming ")
    assert prov["parameters"]["theta"] == 0.0
    assert [m["name"] for m in prov["markers"]] == ["L1", "L2"]


# --- errors -------------------------------------------------------------------------------------
def test_person_not_in_pedigree():
    with pytest.raises(HypothesisError, match="'ZZ'"):
        log_likelihood(DUO, [MK], {"ZZ": {"L1": ("a", "b")}})
    with pytest.raises(HypothesisError, match="'CH'"):
        kinship_lr([Hypothesis("pc", DUO), Hypothesis("one", ONE)], [MK],
                   {"CH": {"L1": ("a", "b")}}, reference="one")


def test_unknown_allele_names_marker_person_allele():
    with pytest.raises(GenotypeError, match=r"marker 'L1'.*person 'AF'.*allele 'q'"):
        log_likelihood(DUO, [MK], {"AF": {"L1": ("a", "q")}})


def test_male_with_two_x_alleles():
    with pytest.raises(GenotypeError, match="one X allele"):
        log_likelihood(ONE, [MKX], {"A": {"X1": ("a", "b")}})


def test_duplicate_hypothesis_and_unknown_reference():
    with pytest.raises(HypothesisError, match="'h' is used twice"):
        kinship_lr([Hypothesis("h", DUO), Hypothesis("h", UNREL)], [MK], {}, reference="h")
    with pytest.raises(HypothesisError, match="reference: 'nope'"):
        kinship_lr([Hypothesis("h", DUO)], [MK], {}, reference="nope")


def test_bad_theta_and_dropout():
    with pytest.raises(InputError, match="theta"):
        log_likelihood(ONE, [MK], {}, theta=1.5)
    with pytest.raises(InputError, match="dropout"):
        log_likelihood(ONE, [MK], {}, dropout={"A": 2})


def _theta_both_methods(monkeypatch, fn):
    """fn() computed with the partition method forced, then with the quadrature forced."""
    import homecoming.kinship._theta as lk
    with monkeypatch.context() as m:
        m.setattr(lk, "MAX_THETA_ROWS", 0)          # quadrature refused -> partitions
        a = fn()
    with monkeypatch.context() as m:
        m.setattr(lk, "MAX_THETA_PARTITIONS", 0)   # partitions refused -> quadrature
        b = fn()
    return a, b


def test_theta_methods_agree(monkeypatch):
    th = 0.03
    gts = {"AF": {"L1": ("a", "a")}, "CH": {"L1": ("a", "a")}}
    # A19 (duo, untyped mother: one free founder pair) under both exact θ methods
    for got in _theta_both_methods(monkeypatch, lambda: lr(DUO, UNREL, gts, theta=th)):
        close(got, (1 + 2 * th) / (3 * th + (1 - th) * PA))
    # full siblings with untyped parents (four free founder alleles, 15 partitions)
    g2 = {"S1": {"L1": ("a", "b")}, "S2": {"L1": ("a", "b")}}
    a, b = _theta_both_methods(monkeypatch, lambda: lik(SIBS, g2, theta=0.1)[0])
    close(a, b)
    # cousin marriage with one typed founder: six free founder alleles (203 partitions)
    ped = _cousin_marriage()
    g3 = {"W1": {"L1": ("b", "d")}, "C1": {"L1": ("a", "b")}, "C2": {"L1": ("a", "c")},
          "K": {"L1": ("a", "a")}}
    a, b = _theta_both_methods(monkeypatch, lambda: lik(ped, g3, theta=0.01)[0])
    close(a, b)


def test_cached_factors_are_not_shared_wrongly_between_pedigrees():
    # the engine caches factors per marker batch (keyed by the variables' domains); several
    # pedigrees and genotype tables over the same markers must each still match the
    # brute-force reference
    from tests.reference.oracle import reference_log_likelihood

    rng = np.random.default_rng(11)
    markers = [
        Marker("m", ("1", "2", "3", "4"), np.array([.1, .2, .3, .4]),
               mutation_male=MutationSpec("stepwise", rate=.01, rate2=0, range=.5),
               mutation_female=MutationSpec("equal", rate=.03)),
        Marker("n", ("1", "2", "3"), np.array([.2, .3, .5]),
               mutation_male=MutationSpec("proportional", rate=.01)),
    ]
    peds = [
        Pedigree([Person("A", sex=M), Person("B", sex=F), Person("C", "A", "B", M),
                  Person("D", "A", "B", F), Person("E", sex=M), Person("G", "E", "D", F)]),
        Pedigree([Person("A", sex=M), Person("B", sex=F), Person("C", "A", "B", M),
                  Person("D", sex=F), Person("E", "C", "D", M), Person("G", "C", "D", F)]),
        Pedigree([Person("A", sex=M), Person("B", sex=F), Person("C", "A", "B", M),
                  Person("D", "A", "B", F), Person("E", "C", "D", M),
                  Person("G", "C", "D", F)]),
    ]
    for trial in range(24):
        ped = peds[trial % 3]
        gts = {pid: {m.name: (str(rng.integers(1, m.n_alleles + 1)),
                              str(rng.integers(1, m.n_alleles + 1))) for m in markers}
               for pid in ("A", "C", "E", "G") if rng.random() < 0.7}
        theta = 0.0 if trial % 2 else 0.05
        got = log_likelihood(ped, markers, gts, theta=theta)
        ref = reference_log_likelihood(ped, markers, gts, theta=theta)
        assert np.array_equal(np.isfinite(got), np.isfinite(ref))
        fin = np.isfinite(ref)
        np.testing.assert_allclose(got[fin], ref[fin], rtol=1e-12, atol=0)


def test_theta_refused_when_no_exact_method_is_feasible():
    # eight untyped founders with typed children: 16 free founder alleles (Bell(16)
    # partitions) and 9 allele states (9^8 quadrature nodes): refused, never approximated
    mk = Marker("W", tuple("abcdefghij"), np.full(10, 0.1))
    people, gts = [], {}
    for k in range(4):
        fa, mo, ch = f"F{k}", f"M{k}", f"C{k}"
        people += [Person(fa, sex=M), Person(mo, sex=F), Person(ch, fa, mo, M)]
        gts[ch] = {"W": ("abcdefgh"[2 * k], "abcdefgh"[2 * k + 1])}
    with pytest.raises(InputError, match="theta 0.01: exact θ needs"):
        log_likelihood(Pedigree(people), [mk], gts, theta=0.01)
