"""Interchangeable missing persons (childless full siblings of the same sex,
``solver.exchangeable_missing``): the engine gives a sub-assignment and its
permutation within such a class the same likelihood (random pedigrees, markers and θ, to 1e-9
in natural-log likelihood per marker), and the solver, which computes one of them only, gives
the same result as without the classes on the dvir examples that have them."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecoming.formats.dvi_dataset import dvi_result_json, load_dvi_dataset
from homecoming.identification import solver
from homecoming.identification.dataset import Family
from homecoming.kinship.likelihood import log_likelihood
from homecoming.pedigree import Pedigree, Person, Sex
from tests.kinship.test_engine_vs_reference import assert_same, random_family, random_marker
from tests.paths import DVI_EXAMPLES


def _family(persons, missing, genotypes=None):
    return Family("F", Pedigree(persons), tuple(missing), genotypes or {})


def test_the_classes_of_the_dvir_examples():
    found = {}
    for name in ("icmp", "symmetricSibs", "fire", "grave", "planecrash"):
        ds = load_dvi_dataset(DVI_EXAMPLES / f"{name}.json")
        found[name] = [(f.name, c) for f in ds.families for c in solver.exchangeable_missing(f)]
    assert found == {"icmp": [("F1", ("M10", "M11"))],
                     "symmetricSibs": [("F1", ("M1", "M2")), ("F2", ("M3", "M4"))],
                     "fire": [("F1", ("M2", "M3"))], "grave": [], "planecrash": []}


def test_what_makes_missing_persons_interchangeable():
    base = [Person("fa", sex=Sex.MALE), Person("mo", sex=Sex.FEMALE),
            Person("fa2", sex=Sex.MALE)]
    kids = [Person("a", "fa", "mo", Sex.MALE), Person("b", "fa", "mo", Sex.MALE),
            Person("c", "fa", "mo", Sex.MALE), Person("d", "fa", "mo", Sex.FEMALE),
            Person("e", "fa2", "mo", Sex.MALE), Person("r", "fa", "mo", Sex.MALE)]
    fam = _family(base + kids, ["a", "b", "c", "d", "e"],
                  {"r": {"M": ("10", "11")}})
    assert solver.exchangeable_missing(fam) == [("a", "b", "c")]
    # a child makes c a parent (and d too, of another sex anyway)
    with_child = _family(base + kids + [Person("g", "c", "d", Sex.MALE)],
                         ["a", "b", "c", "d", "e"])
    assert solver.exchangeable_missing(with_child) == [("a", "b")]
    # the reference r is not missing; d differs in sex and e is a half-sibling
    assert solver.exchangeable_missing(_family(base + kids, ["a", "d", "e"])) == []


@st.composite
def sibling_case(draw):
    """A random family with two childless full siblings of the same sex added to a random
    couple of it, random markers (X, silent alleles, mutation), θ, typed relatives, and two
    victim profiles."""
    persons = random_family(draw, 6, min_persons=2)
    males = [p.id for p in persons if p.sex is Sex.MALE]
    females = [p.id for p in persons if p.sex is Sex.FEMALE]
    sex = draw(st.sampled_from([Sex.MALE, Sex.FEMALE]))
    father, mother = draw(st.sampled_from(males)), draw(st.sampled_from(females))
    persons += [Person("s1", father, mother, sex), Person("s2", father, mother, sex)]
    markers = [random_marker(draw, f"M{k}") for k in range(draw(st.integers(1, 3)))]

    def profile(ploidy_of: Sex) -> dict:
        out = {}
        for m in markers:
            one = m.chromosome == "X" and ploidy_of is Sex.MALE
            pick = st.sampled_from(m.alleles)
            out[m.name] = (draw(pick),) if one else (draw(pick), draw(pick))
        return out

    typed = {p.id: profile(p.sex) for p in persons[:-2] if draw(st.integers(0, 2)) == 0}
    theta = draw(st.sampled_from([0.0, 0.0, 0.05]))
    return Pedigree(persons), markers, typed, profile(sex), profile(sex), theta


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(sibling_case())
def test_swapping_the_victims_of_two_siblings_keeps_the_likelihood(case):
    ped, markers, typed, v1, v2, theta = case
    one_a = log_likelihood(ped, markers, {**typed, "s1": v1}, theta=theta)
    one_b = log_likelihood(ped, markers, {**typed, "s2": v1}, theta=theta)
    assert_same(one_a, one_b, f"one victim {case!r}")
    two_a = log_likelihood(ped, markers, {**typed, "s1": v1, "s2": v2}, theta=theta)
    two_b = log_likelihood(ped, markers, {**typed, "s1": v2, "s2": v1}, theta=theta)
    assert_same(two_a, two_b, f"two victims {case!r}")


def _comparable(result) -> dict:
    doc = dict(dvi_result_json(result))
    doc.pop("provenance", None)
    search = dict(doc.pop("search", {}))
    search.pop("likelihood_calls", None)
    doc["search"] = search
    return doc


def _close(a, b, path="") -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _close(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for k, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}/{k}")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == b or (math.isinf(a) and a == b) or abs(a - b) <= 1e-9 * max(1.0, abs(a)), \
            (path, a, b)
    else:
        assert a == b, (path, a, b)


@pytest.mark.parametrize("name", ["icmp", "symmetricSibs", "fire"])
def test_the_solver_gives_the_same_result_without_the_classes(name, monkeypatch):
    ds = load_dvi_dataset(DVI_EXAMPLES / f"{name}.json")
    with_classes = solver.solve(ds)
    monkeypatch.setattr(solver, "exchangeable_missing", lambda fam: [])
    without = solver.solve(ds)
    _close(_comparable(with_classes), _comparable(without))
    assert with_classes.search["likelihood_calls"] < without.search["likelihood_calls"]


# --- sub-assignments impossible because a smaller one is (methods §11.6) ---------------------

def _solve_keeping_likelihoods(ds, monkeypatch):
    holder: dict = {}
    real_init = solver._Likelihoods.__init__

    def keep(self, *a, **k):
        real_init(self, *a, **k)
        holder["lik"] = self

    monkeypatch.setattr(solver._Likelihoods, "__init__", keep)
    result = solver.solve(ds)
    monkeypatch.setattr(solver._Likelihoods, "__init__", real_init)
    return result, holder["lik"]


@pytest.mark.parametrize("name", ["icmp", "grave"])
def test_sub_assignments_marked_impossible_are_impossible(name, monkeypatch):
    """Every sub-assignment the joint stage skips because one of its smaller sub-assignments
    is impossible has likelihood 0 on the whole pedigree (computed here directly), and the
    solver's result is the same when nothing is skipped (each is then computed)."""
    ds = load_dvi_dataset(DVI_EXAMPLES / f"{name}.json")
    pruned, lik = _solve_keeping_likelihoods(ds, monkeypatch)
    families = {f.name: f for f in ds.families}
    assert len(lik._impossible) > (100 if name == "icmp" else 0)
    for fam_name, pairs in lik._impossible:
        genotypes = dict(lik.family_gt[fam_name])
        for m, v in pairs:
            genotypes[m] = lik.victim_gt[v]
        whole = log_likelihood(families[fam_name].pedigree, lik.markers, genotypes)
        assert float(whole.sum()) == -math.inf, (fam_name, pairs)
    monkeypatch.setattr(solver._Likelihoods, "mark_impossible", lambda self, fam, pairs: None)
    computed = solver.solve(ds)
    _close(_comparable(pruned), _comparable(computed))
    assert pruned.search["likelihood_calls"] < computed.search["likelihood_calls"]


# --- approximate components: the other arrangements of interchangeable siblings ---------------

def test_with_twins_adds_the_other_arrangement_to_an_approximate_component():
    """One component of two families: F0 with interchangeable siblings (options 1 and 2 give
    victims V0 and V1 to them in the two arrangements, same likelihood, option 2's pairings
    with non-DNA evidence worth log 0.5 less), F1 one missing person (V2, or V0 at LR 2). With
    one linear-assignment solve the search stops at the best assignment; the twin is added
    with its own gain, and the lower bound of Z is the sum of the two, computed by hand."""
    from homecoming.identification.joint import Option, search

    g = math.log(1e6)
    options = [
        [Option(0, 0.0), Option(0b011, g, (("s1", "V0"), ("s2", "V1"))),
         Option(0b011, g - 0.5, (("s1", "V1"), ("s2", "V0")))],
        [Option(0, 0.0), Option(0b100, math.log(50.0), (("m", "V2"),)),
         Option(0b001, math.log(2.0), (("m", "V0"),))],
    ]
    twins = {0: {1: [2], 2: [1]}}
    plain = search(options, k=10, max_states=1, max_solves=1)
    assert plain.components[0].limit_reached and not plain.exact
    assert [c for _, c in plain.top] == [(1, 1)]
    found = search(options, k=10, max_states=1, max_solves=1, twins=twins)
    assert [c for _, c in found.top] == [(1, 1), (2, 1)]
    assert found.top[1][0] == pytest.approx(g - 0.5 + math.log(50.0), abs=1e-12)
    expected = math.log(1e6 * 50 + 1e6 * math.exp(-0.5) * 50)
    assert found.log_z == pytest.approx(expected, abs=1e-12)
    # exact components are left as they are (the DP counts every assignment already)
    exact = search(options, k=10, twins=twins)
    plain_exact = search(options, k=10)
    assert exact.exact and exact.top == plain_exact.top
    assert exact.log_z == plain_exact.log_z


def test_the_classes_of_two_sibling_families_factorise(monkeypatch):
    """Two families with interchangeable siblings (F0: V0/V1, F1: V2/V3, each arrangement with
    its own non-DNA gain) and a third family that links them into one component: the search
    cut to one solve finds one assignment; its class is the 2 × 2 arrangements. Z, the
    listed assignments (cut to 2 of the 4 here) and the share of a pairing equal the sums over
    the four written out."""
    from homecoming.identification import joint
    from homecoming.identification.joint import Option, pairing_log_weight, search

    a, b = math.log(1e6), math.log(3e5)
    options = [
        [Option(0, 0.0), Option(0b0011, a, (("s1", "V0"), ("s2", "V1"))),
         Option(0b0011, a - 0.3, (("s1", "V1"), ("s2", "V0")))],
        [Option(0, 0.0), Option(0b1100, b, (("t1", "V2"), ("t2", "V3"))),
         Option(0b1100, b - 1.1, (("t1", "V3"), ("t2", "V2")))],
        [Option(0, 0.0), Option(0b10000, math.log(40.0), (("m", "V4"),)),
         Option(0b00001, math.log(2.0), (("m", "V0"),)),
         Option(0b00100, math.log(2.0), (("m", "V2"),))],
    ]
    twins = {0: {1: [2], 2: [1]}, 1: {1: [2], 2: [1]}}
    monkeypatch.setattr(joint, "TWINS_LISTED", 2)
    found = search(options, k=10, max_states=1, max_solves=1, twins=twins)
    res = found.components[0]
    assert res.limit_reached and [c[0] for c in res.classes] == [((1, 2), (1, 2), (1,))]
    gains = {(i, j): options[0][i].gain + options[1][j].gain + math.log(40.0)
             for i in (1, 2) for j in (1, 2)}
    assert found.log_z == pytest.approx(math.log(sum(math.exp(g) for g in gains.values())),
                                        abs=1e-12)
    assert len(res.top) == 2 and all(gains[c[:2]] == pytest.approx(g, abs=1e-12)
                                     for g, c in res.top)
    held = math.log(sum(math.exp(g) for (i, _), g in gains.items() if i == 2))  # s1 = V1
    assert pairing_log_weight(res, options, 0, ("s1", "V1")) == pytest.approx(held, abs=1e-12)
    assert pairing_log_weight(res, options, 0, ("s1", "V9")) == -math.inf


@pytest.mark.parametrize(("name", "groups"), [
    ("icmp", [[("V2", "M10"), ("V2", "M11")]]),
    ("fire", [[("V2", "M2"), ("V2", "M3")], [("V3", "M2"), ("V3", "M3")]]),
])
def test_siblings_share_the_posterior_when_the_search_stops_early(name, groups):
    """With the joint search cut to one linear-assignment solve (the component is then
    approximate), the victims of interchangeable siblings get equal marginal posteriors, as
    in the exact solve (there within 1e-9 of each other; here equal to 1e-12 and within 1e-3
    of the exact values, about 1/2), not all on one arrangement; the twin assignment is
    listed second with the same posterior."""
    from homecoming.identification.config import IdentificationConfig

    ds = load_dvi_dataset(DVI_EXAMPLES / f"{name}.json")
    exact = solver.solve(ds)
    cut = solver.solve(ds, config=IdentificationConfig(max_states=1, max_assignment_solves=1))
    assert exact.posterior_exact and not cut.posterior_exact
    assert cut.search["limit_reached"]
    for pairs in groups:    # one victim on each of the interchangeable siblings
        values = [exact.marginals[pair] for pair in pairs]
        assert max(values) - min(values) < 1e-9 and values[0] == pytest.approx(0.5, abs=1e-3)
        cut_values = [cut.marginals[pair] for pair in pairs]
        assert max(cut_values) - min(cut_values) < 1e-12, cut_values
        assert cut_values == pytest.approx(values, abs=1e-3)
    assert cut.joint[0].posterior == pytest.approx(cut.joint[1].posterior, abs=1e-12)


def test_the_canonical_key_memo_gives_the_key_computed_afresh(monkeypatch):
    """``_Likelihoods.canonical`` memoises keys of families with interchangeable siblings; the
    memo keeps at most ``CANONICAL_MEMO_MAX`` entries, forgetting the oldest. Every key equals
    the one written out here (victims of a class to its members in sorted order), before and
    after entries are forgotten."""
    import itertools

    ds = load_dvi_dataset(DVI_EXAMPLES / "symmetricSibs.json")
    monkeypatch.setattr(solver, "CANONICAL_MEMO_MAX", 3)
    lik = solver._Likelihoods(ds, solver._default_loglik(), 0.0)
    victims = [v.id for v in ds.victims]

    def written_out(fam, pairs):
        assigned = dict(pairs)
        for members in solver.exchangeable_missing(fam):
            given = sorted(assigned[m] for m in members if m in assigned)
            for m in members:
                assigned.pop(m, None)
            assigned.update(zip(members, given))
        return tuple(sorted(assigned.items()))

    asked = 0
    for fam in ds.families:
        for n in (1, 2):
            for missing in itertools.combinations(fam.missing, n):
                for chosen in itertools.permutations(victims, n):
                    pairs = tuple(zip(missing, chosen))
                    for _ in range(2):             # the second time from the memo
                        assert lik.canonical(fam, pairs) == written_out(fam, pairs)
                        assert len(lik._canonical) <= 3
                        asked += 1
    assert asked > 20
