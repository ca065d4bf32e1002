"""Pairwise screening LRs: closed forms, the pedigree engine, batching and encoding."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from homecoming.errors import GenotypeError, InputError
from homecoming.genetics.encoding import (
    UNTYPED,
    GenotypeEncoder,
    genotype_alleles,
    genotype_code,
    n_genotypes,
)
from homecoming.genetics.frequencies import load_database
from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.kinship.pairwise import (
    RELATIONSHIPS,
    PairwiseModel,
    genotype_pair_probabilities,
    log_lr_table,
)
from homecoming.pedigree import builders
from homecoming.pedigree.pedigree import Sex

P = np.array([0.1, 0.2, 0.3, 0.4])
ABCD = Marker("M1", ("a", "b", "c", "d"), P)


def lr(marker, rel, ga, gb, **kw):
    t = log_lr_table(marker, rel, **kw)
    ia = [marker.index(x) for x in ga]
    ib = [marker.index(x) for x in gb]
    return float(np.exp(t[genotype_code(*ia), genotype_code(*ib)]))


# -- encoding -------------------------------------------------------------------------------

def test_genotype_codes_enumerate_unordered_pairs():
    first, second = genotype_alleles(4)
    assert n_genotypes(4) == 10 == first.size
    pairs = list(zip(first.tolist(), second.tolist()))
    assert pairs == [(0, 0), (0, 1), (1, 1), (0, 2), (1, 2), (2, 2), (0, 3), (1, 3), (2, 3), (3, 3)]
    for code, (i, j) in enumerate(pairs):
        assert genotype_code(i, j) == genotype_code(j, i) == code


def test_encode_untyped_partial_unknown():
    m2 = Marker("vWA", ("14", "15", "16"), [0.2, 0.3, 0.5])
    enc = GenotypeEncoder([ABCD, m2])
    codes = enc.encode([{"M1": ("b", "a"), "VWA": ("16", "16")},
                        {"M1": ("c", None)},
                        {"vWA": ("15", "14"), "OTHER": ("1", "2")},
                        {}])
    assert codes.dtype == np.int32
    assert codes.tolist() == [[1, 5], [UNTYPED, UNTYPED], [UNTYPED, 1], [UNTYPED, UNTYPED]]
    assert enc.genotypes("vWA")[5] == ("16", "16")
    with pytest.raises(GenotypeError, match=r"profile 0, marker 'M1': allele 'e' is not in the "
                                            r"marker's allele list"):
        enc.encode([{"M1": ("a", "e")}])
    assert enc.encode([{"M1": ("a", "e")}], unknown="untyped").tolist() == [[UNTYPED, UNTYPED]]
    with pytest.raises(GenotypeError, match="expected two alleles"):
        enc.encode([{"M1": ("a",)}])
    with pytest.raises(GenotypeError, match="autosomal"):
        GenotypeEncoder([Marker("DXS10135", ("1", "2"), [0.5, 0.5], chromosome="X")])


# -- closed forms (kinship-software.md section 6, p = .1 .2 .3 .4) -----------------------

@pytest.mark.parametrize("rel, ga, gb, expected", [
    ("direct", "aa", "aa", 1 / 0.1 ** 2),
    ("direct", "ab", "ab", 1 / (2 * 0.1 * 0.2)),
    ("direct", "ab", "ac", 0.0),
    ("parent_child", "aa", "aa", 1 / 0.1),                      # A1
    ("parent_child", "aa", "ab", 1 / (2 * 0.1)),                # A2
    ("parent_child", "ac", "ab", 1 / (4 * 0.1)),                # A3
    ("parent_child", "ab", "ab", (0.1 + 0.2) / (4 * 0.1 * 0.2)),  # A4
    ("parent_child", "cd", "ab", 0.0),                          # A14
    ("full_sibling", "aa", "aa", (1 + 0.1) ** 2 / (4 * 0.1 ** 2)),  # A7 = 30.25
    ("full_sibling", "ab", "ab", (1 + 0.1 + 0.2 + 2 * 0.1 * 0.2) / (8 * 0.1 * 0.2)),  # A8
    ("full_sibling", "ab", "ac", (1 + 2 * 0.1) / (8 * 0.1)),    # A9 = 1.5
    ("full_sibling", "ab", "cd", 0.25),                         # A10
    ("half_sibling", "aa", "aa", 0.5 + 1 / (2 * 0.1)),          # A11 = 5.5
    ("half_sibling", "ab", "ac", 0.5 + 1 / (8 * 0.1)),          # A12 = 1.75
    ("half_sibling", "ab", "cd", 0.5),                          # A12 = 0.5
])
def test_closed_forms_without_mutation(rel, ga, gb, expected):
    assert lr(ABCD, rel, ga, gb) == pytest.approx(expected, rel=1e-12, abs=0)
    # symmetric in the two profiles without mutation
    assert lr(ABCD, rel, gb, ga) == pytest.approx(expected, rel=1e-12, abs=0)


def test_direct_match_with_theta_is_the_nrc2_formula():
    th = 0.02
    p = 0.1
    hom = (1 + th) * (1 + 2 * th) / ((2 * th + (1 - th) * p) * (3 * th + (1 - th) * p))
    pa, pb = 0.1, 0.2
    het = (1 + th) * (1 + 2 * th) / (2 * (th + (1 - th) * pa) * (th + (1 - th) * pb))
    assert lr(ABCD, "direct", "aa", "aa", theta=th) == pytest.approx(hom, rel=1e-12)
    assert lr(ABCD, "direct", "ab", "ab", theta=th) == pytest.approx(het, rel=1e-12)


def test_parent_child_proportional_mutation_exclusion_a15():
    spec = MutationSpec("proportional", rate=0.005)
    m = Marker("M1", ("a", "b", "c", "d"), P, mutation_female=spec, mutation_male=spec)
    # A15: AF c/d, child a/b, proportional rate 0.005 -> 0.0071428571
    assert lr(m, "parent_child", "cd", "ab", parent_sex="male", direction="a_parent") == \
        pytest.approx(0.0071428571, rel=1e-8)


def test_parent_child_equal_mutation_a16_mutates_the_untyped_mother_too():
    spec = MutationSpec("equal", rate=0.005)
    m = Marker("M1", ("a", "b", "c", "d"), P, mutation_female=spec, mutation_male=spec)
    assert lr(m, "parent_child", "cd", "ab", parent_sex="male", direction="a_parent") == \
        pytest.approx(0.0125555556, rel=1e-8)


def test_parent_child_directions_and_sexes_average():
    fem = MutationSpec("equal", rate=0.01)
    mal = MutationSpec("stepwise", rate=0.004, rate2=1e-4, range=0.5)
    m = Marker("S", ("8", "9", "10", "11"), P, mutation_female=fem, mutation_male=mal)
    parts = {(s, d): np.exp(log_lr_table(m, "parent_child", parent_sex=s, direction=d))
             for s in ("male", "female") for d in ("a_parent", "b_parent")}
    avg = np.exp(log_lr_table(m, "parent_child"))
    assert np.allclose(avg, sum(parts.values()) / 4, rtol=1e-12, atol=0)
    assert np.allclose(parts[("male", "b_parent")], parts[("male", "a_parent")].T, rtol=1e-12)
    assert not np.allclose(parts[("male", "a_parent")], parts[("female", "a_parent")])


# -- the pedigree engine ----------------------------------------------------------------

def _engine_lr(marker, rel_pedigree, ga, gb, theta, ids=("A", "B")):
    from homecoming.kinship.likelihood import log_likelihood

    genotypes = {ids[0]: {marker.name: ga}, ids[1]: {marker.name: gb}}
    num = log_likelihood(rel_pedigree, [marker], genotypes, theta=theta)[0]
    den = log_likelihood(builders.unrelated(ids), [marker], genotypes, theta=theta)[0]
    return num - den


def _pedigrees():
    return {
        ("parent_child", "male"): builders.parent_child(parent="A", child="B",
                                                        parent_sex=Sex.MALE),
        ("parent_child", "female"): builders.parent_child(parent="A", child="B",
                                                          parent_sex=Sex.FEMALE),
        ("full_sibling", None): builders.full_siblings("A", "B"),
        ("half_sibling", "male"): builders.half_siblings("A", "B", side="paternal"),
        ("half_sibling", "female"): builders.half_siblings("A", "B", side="maternal"),
    }


@pytest.mark.parametrize("theta", [0.0, 0.03])
@pytest.mark.parametrize("mutation", ["none", "mixed"])
def test_tables_equal_the_pedigree_engine(theta, mutation):
    alleles = ("9", "9.3", "10", "11", "12")
    freqs = np.array([0.15, 0.3, 0.25, 0.2, 0.1])
    if mutation == "none":
        fem = mal = None
    else:
        fem = MutationSpec("equal", rate=0.02)
        mal = MutationSpec("stepwise", rate=0.03, rate2=0.005, range=0.4)
    m = Marker("TH01", alleles, freqs, mutation_female=fem, mutation_male=mal)
    gts = list(itertools.combinations_with_replacement(alleles, 2))
    rng = np.random.default_rng(7)
    pairs = [(gts[i], gts[j]) for i, j in rng.integers(0, len(gts), size=(12, 2))]
    pairs += [(("9", "9.3"), ("11", "12")), (("10", "10"), ("10", "10"))]
    for (rel, sex), ped in _pedigrees().items():
        kw = {"parent_sex": sex}
        if rel == "parent_child":
            kw["direction"] = "a_parent"
        table = log_lr_table(m, rel, theta=theta, **kw)
        for ga, gb in pairs:
            code_a = genotype_code(alleles.index(ga[0]), alleles.index(ga[1]))
            code_b = genotype_code(alleles.index(gb[0]), alleles.index(gb[1]))
            want = _engine_lr(m, ped, ga, gb, theta)
            got = table[code_a, code_b]
            if np.isneginf(want):
                assert np.isneginf(got), (rel, sex, ga, gb)
            else:
                assert got == pytest.approx(want, abs=1e-9), (rel, sex, ga, gb, theta)


def test_direct_match_equals_the_engine_on_one_person_vs_two():
    from homecoming.kinship.likelihood import log_likelihood

    th = 0.02
    for ga in [("a", "a"), ("b", "d")]:
        one = log_likelihood(builders.unrelated(["A"]), [ABCD], {"A": {"M1": ga}}, theta=th)[0]
        two = log_likelihood(builders.unrelated(["A", "B"]), [ABCD],
                             {"A": {"M1": ga}, "B": {"M1": ga}}, theta=th)[0]
        assert np.log(lr(ABCD, "direct", ga, ga, theta=th)) == pytest.approx(one - two, abs=1e-9)


def test_tables_are_probabilities():
    spec = MutationSpec("proportional", rate=0.01)
    m = Marker("M1", ("a", "b", "c", "d"), P, mutation_female=spec, mutation_male=spec)
    for rel in (*RELATIONSHIPS, "unrelated"):
        num, den = genotype_pair_probabilities(m, rel, theta=0.05)
        assert num.sum() == pytest.approx(1.0, abs=1e-12)
        assert den.sum() == pytest.approx(1.0, abs=1e-12)


# -- batches ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def nist_markers():
    db = load_database("nist1036_all")
    names = ["CSF1PO", "D3S1358", "D5S818", "D7S820", "D8S1179", "D13S317", "D16S539", "D18S51",
             "D21S11", "FGA", "TH01", "TPOX", "vWA"]
    return db.markers(names, mutation=MutationSpec("proportional", rate=0.002))


def _random_profiles(markers, n, rng, missing=0.1):
    out = []
    for _ in range(n):
        prof = {}
        for m in markers:
            if rng.random() < missing:
                continue
            a, b = rng.choice(m.n_alleles, size=2, p=m.frequencies)
            prof[m.name] = (m.alleles[a], m.alleles[b])
        out.append(prof)
    return out


@pytest.mark.parametrize("rel", RELATIONSHIPS)
def test_batch_equals_per_marker_sum_and_chunking_is_exact(nist_markers, rel):
    rng = np.random.default_rng(11)
    pa = _random_profiles(nist_markers, 37, rng)
    pb = _random_profiles(nist_markers, 53, rng)
    pb[3] = dict(pa[5])  # a true direct match
    pb[4] = {}           # nothing typed
    model = PairwiseModel(nist_markers, rel)
    ca, cb = model.encode(pa), model.encode(pb)
    full = model.log_lr(ca, cb)
    # by hand: per marker table look-up, skipping untyped
    want = np.zeros((len(pa), len(pb)))
    for k in range(len(nist_markers)):
        t = model.table(k)
        for i in range(len(pa)):
            for j in range(len(pb)):
                if ca[i, k] >= 0 and cb[j, k] >= 0:
                    want[i, j] += t[ca[i, k], cb[j, k]]
    finite = np.isfinite(want)
    assert np.array_equal(finite, np.isfinite(full))
    assert np.allclose(full[finite], want[finite], rtol=0, atol=1e-9)
    assert np.all(full[:, 4] == 0)
    # tiny blocks give identical numbers
    small = PairwiseModel(nist_markers, rel, block=7)
    assert np.array_equal(small.log_lr(ca, cb), full)
    # candidates == thresholding the full matrix, whatever the chunk
    thr = 2.0
    expected = np.argwhere(full >= thr)
    for chunk in (1, 5, 4096):
        got = list(small.iter_candidates(ca, cb, min_log_lr=thr, chunk=chunk))
        i = np.concatenate([g[0] for g in got]) if got else np.zeros(0, int)
        j = np.concatenate([g[1] for g in got]) if got else np.zeros(0, int)
        v = np.concatenate([g[2] for g in got]) if got else np.zeros(0)
        assert np.array_equal(np.column_stack([i, j]), expected)
        assert np.array_equal(v, full[i, j])
    if rel == "direct":
        assert (5, 3) in {tuple(x) for x in expected}


def test_n_common_and_min_common(nist_markers):
    model = PairwiseModel(nist_markers, "direct")
    full = {m.name: (m.alleles[0], m.alleles[1]) for m in nist_markers}
    few = {m.name: full[m.name] for m in nist_markers[:3]}
    ca = model.encode([full, few, {}])
    assert model.n_common(ca, ca).tolist() == [[13, 3, 0], [3, 3, 0], [0, 0, 0]]
    hits = list(model.iter_candidates(ca, ca, min_log_lr=0.0, min_common=4))
    (i, j, v) = hits[0]
    assert list(zip(i.tolist(), j.tolist())) == [(0, 0)]
    assert v[0] == pytest.approx(sum(model.table(k)[ca[0, k], ca[0, k]]
                                     for k in range(len(nist_markers))), abs=1e-12)


def test_direct_match_value_is_product_of_hand_formulas(nist_markers):
    model = PairwiseModel(nist_markers, "direct")
    prof = {m.name: (m.alleles[0], m.alleles[1 if k % 2 else 0])
            for k, m in enumerate(nist_markers)}
    c = model.encode([prof])
    want = 0.0
    for k, m in enumerate(nist_markers):
        p0, p1 = m.frequencies[0], m.frequencies[1]
        want += -np.log(2 * p0 * p1) if k % 2 else -2 * np.log(p0)
    assert model.log_lr(c, c)[0, 0] == pytest.approx(want, abs=1e-10)


def test_float32_mode_agrees_to_single_precision(nist_markers):
    rng = np.random.default_rng(3)
    pa = _random_profiles(nist_markers, 20, rng)
    m64 = PairwiseModel(nist_markers, "full_sibling")
    m32 = PairwiseModel(nist_markers, "full_sibling", dtype=np.float32)
    c = m64.encode(pa)
    a, b = m64.log_lr(c, c), m32.log_lr(c, c)
    assert b.dtype == np.float32
    assert np.allclose(a, b, atol=1e-4, rtol=0)


def test_bad_arguments_are_refused(nist_markers):
    with pytest.raises(InputError, match="relationship 'cousin'"):
        PairwiseModel(nist_markers, "cousin")
    with pytest.raises(InputError, match="theta 1.5"):
        PairwiseModel(nist_markers, "direct", theta=1.5)
    model = PairwiseModel(nist_markers[:2], "direct")
    with pytest.raises(InputError, match=r"codes_a: shape \(3,\)"):
        model.log_lr(np.zeros(3, dtype=np.int32), np.zeros((1, 2), dtype=np.int32))
    with pytest.raises(InputError, match=r"codes_b\[0, 1\] = 9999"):
        model.log_lr(np.zeros((1, 2), dtype=np.int32), np.array([[0, 9999]]))


def test_provenance_records_relationship_and_markers(nist_markers):
    model = PairwiseModel(nist_markers, "half_sibling", theta=0.01)
    prov = model.provenance()
    assert prov["relationship"] == "half_sibling" and prov["theta"] == 0.01
    assert prov["markers"][0] == "CSF1PO"
    assert prov["mutation"]["TH01"] == "homecoming.genetics.mutation"
    assert prov["marker_sources"]["TH01"].startswith("nist1036_all (sha256 ")


def test_half_sibling_unknown_parent_sex_averages_the_two_likelihoods():
    fem = MutationSpec("equal", rate=0.01)
    mal = MutationSpec("proportional", rate=0.03)
    m = Marker("S", ("8", "9", "10", "11"), P, mutation_female=fem, mutation_male=mal)
    pm = genotype_pair_probabilities(m, "half_sibling", parent_sex="male")[0]
    pf = genotype_pair_probabilities(m, "half_sibling", parent_sex="female")[0]
    avg, den = genotype_pair_probabilities(m, "half_sibling")
    assert np.allclose(avg, (pm + pf) / 2, rtol=1e-13, atol=0)
    assert np.allclose(np.exp(log_lr_table(m, "half_sibling")), avg / den, rtol=1e-12)


def test_rare_allele_policy_flows_into_the_direct_match_lr():
    db = load_database("nist1036_all")
    markers = db.markers(["TH01", "D21S11"], extra_alleles={"TH01": ["13.3"]})
    model = PairwiseModel(markers, "direct")
    prof = {"TH01": ("13.3", "13.3"), "D21S11": ("29", "30")}
    c = model.encode([prof])
    f_rare = (5 / 2072) / (1 + 5 / 2072)
    p29, p30 = (db.frequencies("D21S11")[a] for a in ("29", "30"))
    want = -2 * np.log(f_rare) - np.log(2 * p29 * p30)
    assert model.log_lr(c, c)[0, 0] == pytest.approx(want, abs=1e-10)
    assert "rare allele(s) 13.3" in model.provenance()["marker_sources"]["TH01"]


@pytest.mark.parametrize("theta", [0.0, 0.05])
def test_direct_and_unrelated_shortcuts_equal_the_ordered_allele_joint(theta):
    from homecoming.kinship import pairwise as pw

    m = Marker("M5", ("a", "b", "c", "d", "e"), [0.1, 0.2, 0.3, 0.25, 0.15])
    eye = np.eye(5)
    num, den = genotype_pair_probabilities(m, "direct", theta=theta)
    via_num = pw._genotype_table(pw._ordered_joint("direct", m.frequencies, theta, eye, eye,
                                                   None, "either"))
    via_den = pw._genotype_table(pw._ordered_joint("unrelated", m.frequencies, theta, eye, eye,
                                                   None, "either"))
    assert np.allclose(num, via_num, rtol=1e-13, atol=1e-17)
    assert np.allclose(den, via_den, rtol=1e-13, atol=1e-17)


@pytest.mark.parametrize("rel", RELATIONSHIPS)
def test_each_profile_alone_has_its_population_probability(rel):
    """Summing the joint over one person's genotype leaves the other's P(g): exact without
    mutation (any theta) and with a stationary (proportional) model at theta = 0."""
    prop = MutationSpec("proportional", rate=0.02)
    freqs = [0.1, 0.2, 0.3, 0.25, 0.15]
    first, second = genotype_alleles(5)
    p = np.array(freqs)
    for spec, th in ((None, 0.0), (None, 0.02), (prop, 0.0)):
        m = Marker("S", ("8", "9", "9.3", "10", "11"), freqs, mutation_female=spec,
                   mutation_male=spec)
        num, den = genotype_pair_probabilities(m, rel, theta=th)
        hom = p[first] * (th + (1 - th) * p[first])
        het = 2 * (1 - th) * p[first] * p[second]
        single = np.where(first == second, hom, het)
        assert np.allclose(den.sum(axis=1), single, rtol=1e-12)
        assert np.allclose(num.sum(axis=1), single, rtol=1e-10)
        assert np.allclose(num.sum(axis=0), single, rtol=1e-10)


def test_memory_is_flat_in_the_number_of_reference_profiles(nist_markers):
    import tracemalloc

    model = PairwiseModel(nist_markers, "full_sibling")
    rng = np.random.default_rng(5)
    ca = model.encode(_random_profiles(nist_markers, 40, rng))
    peaks = []
    for nb in (8192, 65536):
        cb = np.tile(ca, (nb // 40 + 1, 1))[:nb]
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        n = sum(i.size for i, _, _ in model.iter_candidates(ca, cb, min_log_lr=1e9))
        peaks.append(tracemalloc.get_traced_memory()[1] - base)
        tracemalloc.stop()
        assert n == 0
    assert peaks[1] < peaks[0] * 1.2 + 100_000
    assert peaks[1] < 8 * 2 ** 20


@pytest.mark.parametrize("rel", ["parent_child", "full_sibling", "half_sibling"])
@pytest.mark.parametrize("sex", [None, "male", "female"])
def test_theta_zero_factored_tables_equal_the_ordered_allele_joint(rel, sex):
    from homecoming.genetics.mutation import transmission_matrices
    from homecoming.kinship import pairwise as pw

    fem = MutationSpec("equal", rate=0.02)
    mal = MutationSpec("stepwise", rate=0.03, rate2=0.005, range=0.4)
    m = Marker("TH01", ("9", "9.3", "10", "11", "12", "13"), [0.1, 0.2, 0.3, 0.15, 0.15, 0.1],
               mutation_female=fem, mutation_male=mal)
    f, ml = transmission_matrices(m)
    fast = pw._evaluate_terms(pw._factored_terms(rel, m.frequencies, f, ml, sex), 6)
    slow = pw._genotype_table(pw._ordered_joint(rel, m.frequencies, 0.0, f, ml, sex, "a_parent"))
    assert np.allclose(fast, slow, rtol=1e-12, atol=1e-18)


def test_random_markers_equal_the_pedigree_engine():
    """Hypothesis-generated markers, frequencies, mutation models, theta and genotype pairs."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    models = st.sampled_from([None, ("equal", 0.05), ("proportional", 0.03),
                              ("stepwise", 0.04), ("onestep", 0.02)])

    @settings(max_examples=30, deadline=None, derandomize=True)
    @given(k=st.integers(2, 5), data=st.data(), theta=st.sampled_from([0.0, 0.01, 0.1]),
           fem=models, mal=models,
           which=st.sampled_from(sorted(_pedigrees(), key=str)))
    def check(k, data, theta, fem, mal, which):
        raw = data.draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k))
        freqs = np.array(raw) / sum(raw)
        alleles = tuple(str(10 + i) for i in range(k))

        def spec(x):
            if x is None:
                return None
            name, rate = x
            if name == "stepwise":
                return MutationSpec(name, rate=rate, rate2=0.0, range=0.5)
            return MutationSpec(name, rate=rate)

        m = Marker("L", alleles, freqs, mutation_female=spec(fem), mutation_male=spec(mal))
        rel, sex = which
        kw = {"direction": "a_parent"} if rel == "parent_child" else {}
        table = log_lr_table(m, rel, theta=theta, parent_sex=sex, **kw)
        ia, ja, ib, jb = (data.draw(st.integers(0, k - 1)) for _ in range(4))
        want = _engine_lr(m, _pedigrees()[which], (alleles[ia], alleles[ja]),
                          (alleles[ib], alleles[jb]), theta)
        got = table[genotype_code(ia, ja), genotype_code(ib, jb)]
        if np.isneginf(want):
            assert np.isneginf(got)
        else:
            assert got == pytest.approx(want, abs=1e-9)

    check()
