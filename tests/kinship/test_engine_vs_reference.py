"""The fast engine equals the reference oracle: on every catalogue case and on random pedigrees.

Tolerance: natural-log likelihoods per marker within 1e-9 (``-inf`` must match ``-inf``).
The oracle's two implementations (one einsum over the joint, and a literal loop over all joint
states) are also checked against each other, on the small catalogue cases and random ones.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.kinship.likelihood import log_likelihood
from homecoming.pedigree import Pedigree, Person, Sex
from tests.catalogue import CASES, Case
from tests.reference.oracle import enumerate_likelihood, reference_log_likelihood

TOL = 1e-9


def needs_engine(test):
    """Kept as a marker of the tests that exercise the engine (not only the oracle)."""
    return test


def assert_same(engine: np.ndarray, oracle: np.ndarray, label: str) -> None:
    engine = np.asarray(engine, dtype=float)
    oracle = np.asarray(oracle, dtype=float)
    assert engine.shape == oracle.shape, label
    for i, (e, r) in enumerate(zip(engine, oracle)):
        if r == -math.inf or e == -math.inf:
            assert e == r, f"{label} marker {i}: engine {e!r} oracle {r!r}"
        else:
            assert abs(e - r) <= TOL, f"{label} marker {i}: engine {e!r} oracle {r!r}"


@needs_engine
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_catalogue_engine_equals_oracle(case: Case):
    oracle = reference_log_likelihood(case.pedigree, case.markers, case.genotypes,
                                      **case.kwargs())
    engine = log_likelihood(case.pedigree, list(case.markers), case.genotypes, **case.kwargs())
    assert_same(engine, oracle, case.name)
    assert np.all(oracle <= 1e-12)  # probabilities


def joint_states(ped: Pedigree, marker: Marker) -> int:
    n = marker.n_alleles + (1 if marker.silent_frequency > 0 else 0)
    x = marker.chromosome == "X"
    return math.prod(n ** (1 if x and p.sex is Sex.MALE else 2) for p in ped)


LOOP_LIMIT = 30_000
SMALL = [c for c in CASES if any(joint_states(c.pedigree, m) <= LOOP_LIMIT for m in c.markers)]


@pytest.mark.parametrize("case", SMALL, ids=[c.name for c in SMALL])
def test_catalogue_oracle_einsum_equals_literal_loop(case: Case):
    oracle = reference_log_likelihood(case.pedigree, case.markers, case.genotypes,
                                      **case.kwargs())
    for i, m in enumerate(case.markers):
        if joint_states(case.pedigree, m) > LOOP_LIMIT:
            continue
        lit = enumerate_likelihood(case.pedigree, m, case.genotypes, **case.kwargs())
        if lit == 0.0:
            assert oracle[i] == -math.inf
        else:
            assert oracle[i] == pytest.approx(math.log(lit), abs=TOL)


def test_catalogue_covers_every_feature():
    names = " ".join(c.name for c in CASES)
    for word in ("duo", "trio", "full_siblings", "half_siblings_paternal",
                 "half_siblings_maternal", "grandparent", "avuncular", "first_cousins",
                 "second_cousins", "double_first_cousins", "cousin_marriage", "sibling_mating",
                 "unrelated_theta", "x_", "A_eq", "A_prop", "stepwise", "A_one", "A_custom",
                 "partial", "inbred", "silent", "dropout"):
        assert word in names, word


# --- random small pedigrees --------------------------------------------------------------------

def random_marker(draw, name: str) -> Marker:
    xchrom = draw(st.booleans())
    n_alleles = draw(st.integers(1, 3))
    weights = draw(st.lists(st.integers(1, 9), min_size=n_alleles, max_size=n_alleles))
    silent = draw(st.sampled_from([0.0, 0.0, 0.1]))
    freqs = np.array(weights, dtype=float) / sum(weights) * (1 - silent)
    labels = draw(st.sampled_from([("10", "11", "12"), ("10", "10.3", "11"), ("9", "11", "12")]))
    alleles = labels[:n_alleles]
    mut = draw(st.sampled_from([None, "equal", "proportional", "onestep", "stepwise",
                                "custom"]))
    if mut == "onestep" and any("." in a for a in alleles):
        mut = "stepwise"
    if mut is None:
        female = male = None
    elif mut == "stepwise":
        female = MutationSpec("stepwise", rate=0.02, rate2=0.01, range=0.5)
        male = MutationSpec("stepwise", rate=draw(st.sampled_from([0.005, 0.1])),
                            rate2=draw(st.sampled_from([0.0, 0.05])), range=1.0)
    elif mut == "custom":
        rows = []
        for _ in range(n_alleles):
            w = draw(st.lists(st.integers(0, 5), min_size=n_alleles, max_size=n_alleles))
            w = [x + 1 for x in w]
            rows.append(tuple(x / sum(w) for x in w))
        female = MutationSpec("custom", matrix=tuple(rows))
        male = None
    else:
        rate_f = draw(st.sampled_from([0.01, 0.15]))  # <= min sum p(1-p) = .18
        rate_m = draw(st.sampled_from([0.005, 0.1]))
        female = MutationSpec(mut, rate=rate_f)
        male = MutationSpec(mut, rate=rate_m)
    return Marker(name, alleles, freqs, chromosome="X" if xchrom else "autosomal",
                  mutation_female=female, mutation_male=male, silent_frequency=silent)


def random_family(draw, max_persons: int, min_persons: int = 2) -> list[Person]:
    """A father p0 and a mother p1, then up to ``max_persons`` in all: each a child of earlier
    persons (3 in 4) or a founder marrying in."""
    persons = [Person("p0", sex=Sex.MALE), Person("p1", sex=Sex.FEMALE)]
    for i in range(2, draw(st.integers(min_persons, max_persons))):
        sex = draw(st.sampled_from([Sex.MALE, Sex.FEMALE]))
        males = [p.id for p in persons if p.sex is Sex.MALE]
        females = [p.id for p in persons if p.sex is Sex.FEMALE]
        if draw(st.integers(0, 3)) > 0:
            persons.append(Person(f"p{i}", draw(st.sampled_from(males)),
                                  draw(st.sampled_from(females)), sex))
        else:
            persons.append(Person(f"p{i}", None, None, sex))
    return persons


def autosomal_marker(draw, name: str) -> Marker:
    """:func:`random_marker` made autosomal and without a silent allele (same mutation)."""
    m = random_marker(draw, name)
    return Marker(m.name, m.alleles, np.asarray(m.frequencies) / np.sum(m.frequencies),
                  mutation_female=m.mutation_female, mutation_male=m.mutation_male)


@st.composite
def random_case(draw):
    n = draw(st.integers(1, 6))
    persons: list[Person] = []
    for i in range(n):
        sex = draw(st.sampled_from([Sex.MALE, Sex.FEMALE]))
        males = [p.id for p in persons if p.sex is Sex.MALE]
        females = [p.id for p in persons if p.sex is Sex.FEMALE]
        if males and females and draw(st.booleans()):
            father = draw(st.sampled_from(males))
            mother = draw(st.sampled_from(females))
            persons.append(Person(f"p{i}", father, mother, sex))
        else:
            persons.append(Person(f"p{i}", None, None, sex))
    ped = Pedigree(persons)
    markers = [random_marker(draw, f"M{k}") for k in range(draw(st.integers(1, 3)))]
    genotypes: dict[str, dict[str, tuple]] = {}
    for p in persons:
        if draw(st.integers(0, 2)) == 0:  # typed with probability 2/3
            continue
        table = {}
        for m in markers:
            if draw(st.integers(0, 5)) == 0:
                continue  # this marker untyped
            ploidy = 1 if m.chromosome == "X" and p.sex is Sex.MALE else 2
            choice = st.sampled_from(list(m.alleles) + [None]) if ploidy == 2 else \
                st.sampled_from(m.alleles)
            table[m.name] = tuple(draw(choice) for _ in range(ploidy))
        genotypes[p.id] = table
    founders = [p for p in persons if p.is_founder]
    n_founder_alleles = 2 * len(founders)
    theta = draw(st.sampled_from([0.0, 0.0, 0.02, 0.2])) if n_founder_alleles <= 8 else 0.0
    inbreeding = {}
    for p in founders:
        if draw(st.integers(0, 4)) == 0:
            inbreeding[p.id] = draw(st.sampled_from([0.1, 0.5, 1.0]))
    dropout = {}
    for pid in genotypes:
        if draw(st.integers(0, 4)) == 0:
            dropout[pid] = draw(st.sampled_from([0.0, 0.15, 0.5]))
    return ped, markers, genotypes, theta, inbreeding or None, dropout or None


@needs_engine
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_case())
def test_random_pedigrees_engine_equals_oracle(data):
    ped, markers, genotypes, theta, inbreeding, dropout = data
    kw = {"theta": theta, "founder_inbreeding": inbreeding, "dropout": dropout}
    oracle = reference_log_likelihood(ped, markers, genotypes, **kw)
    engine = log_likelihood(ped, markers, genotypes, **kw)
    assert_same(engine, oracle, repr(data))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(random_case())
def test_random_pedigrees_oracle_einsum_equals_literal_loop(data):
    ped, markers, genotypes, theta, inbreeding, dropout = data
    marker = markers[0]
    assume(joint_states(ped, marker) <= LOOP_LIMIT)  # the literal loop is for tiny cases
    kw = {"theta": theta, "founder_inbreeding": inbreeding, "dropout": dropout}
    oracle = reference_log_likelihood(ped, [marker], genotypes, **kw)[0]
    lit = enumerate_likelihood(ped, marker, genotypes, **kw)
    if lit == 0.0:
        assert oracle == -math.inf
    else:
        assert oracle == pytest.approx(math.log(lit), abs=TOL)


@st.composite
def larger_case(draw):
    """Up to 10 persons, parents drawn among earlier persons (loops and inbreeding are common)."""
    n = draw(st.integers(5, 10))
    persons: list[Person] = []
    for i in range(n):
        sex = draw(st.sampled_from([Sex.MALE, Sex.FEMALE]))
        males = [p.id for p in persons if p.sex is Sex.MALE]
        females = [p.id for p in persons if p.sex is Sex.FEMALE]
        if males and females and draw(st.integers(0, 3)) > 0:
            persons.append(Person(f"p{i}", draw(st.sampled_from(males)),
                                  draw(st.sampled_from(females)), sex))
        else:
            persons.append(Person(f"p{i}", None, None, sex))
    markers = [random_marker(draw, f"M{k}") for k in range(draw(st.integers(1, 4)))]
    genotypes = {}
    for p in persons:
        if draw(st.booleans()):
            table = {}
            for m in markers:
                ploidy = 1 if m.chromosome == "X" and p.sex is Sex.MALE else 2
                table[m.name] = tuple(draw(st.sampled_from(m.alleles)) for _ in range(ploidy))
            genotypes[p.id] = table
    return Pedigree(persons), markers, genotypes


@pytest.mark.slow
@needs_engine
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(larger_case())
def test_larger_random_pedigrees_engine_equals_oracle(data):
    ped, markers, genotypes = data
    oracle = reference_log_likelihood(ped, markers, genotypes)
    engine = log_likelihood(ped, markers, genotypes)
    assert_same(engine, oracle, repr(data))
