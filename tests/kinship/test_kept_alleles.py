"""Alleles kept distinct beyond the observed ones (``log_likelihood_rows(kept=)``): lumping is
exact for any partition whose singletons include the observed alleles, so the result equals
the reference oracle (tests/reference) to 1e-9 in natural-log likelihood per marker, and the
run without ``kept``, whatever set is kept; rows of different typed sets then share one state
space per marker."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.kinship import likelihood
from homecoming.kinship._problem import check_inputs
from homecoming.kinship.likelihood import allele_indices, genotype_rows, log_likelihood_rows
from homecoming.pedigree import Pedigree, Person, Sex
from tests.kinship.test_engine_vs_reference import assert_same
from tests.kinship.test_ragged import mixed_case
from tests.reference.oracle import reference_log_likelihood

LABELS = ("8", "9", "10", "11", "12", "13", "14")


def marker(name: str, n_alleles: int, mutation: str | None) -> Marker:
    freqs = np.arange(1, n_alleles + 1, dtype=float)
    spec = None if mutation is None else MutationSpec(mutation, rate=0.01)
    return Marker(name, LABELS[:n_alleles], freqs / freqs.sum(), mutation_female=spec,
                  mutation_male=spec)


def rows_result(ped, markers, genotypes, kept, dropout=None):
    inbreeding, drop = check_inputs(ped, markers, genotypes, 0.0, None, dropout)
    return log_likelihood_rows(ped, genotype_rows(markers, genotypes), theta=0.0,
                               inbreeding=inbreeding, dropout=drop, kept=kept)


@st.composite
def case_with_kept(draw):
    """A random family with partly typed persons, markers of 2 to 6 alleles and optional
    drop-out (``test_ragged.mixed_case``), and per marker a random set of allele indices to
    keep (it may miss observed ones: those are added)."""
    ped, markers, genotypes, dropout = draw(mixed_case())
    kept = {m.name: frozenset(draw(st.sets(st.integers(0, m.n_alleles - 1))))
            for m in markers}
    return ped, markers, genotypes, dropout, kept


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=case_with_kept())
def test_any_kept_set_gives_the_oracle(case):
    ped, markers, genotypes, dropout, kept = case
    oracle = reference_log_likelihood(ped, markers, genotypes, dropout=dropout)
    with_kept = rows_result(ped, markers, genotypes, kept, dropout)
    assert_same(with_kept, oracle, repr(case))
    assert_same(with_kept, rows_result(ped, markers, genotypes, None, dropout), repr(case))


def grandparents() -> Pedigree:
    return Pedigree([Person("gf", sex=Sex.MALE), Person("gm", sex=Sex.FEMALE),
                     Person("f", "gf", "gm", Sex.MALE), Person("m", sex=Sex.FEMALE),
                     Person("c1", "f", "m", Sex.FEMALE), Person("c2", "f", "m", Sex.MALE)])


def test_rows_of_different_typed_sets_share_one_state_space(monkeypatch):
    """Two typed sets whose alleles differ: without ``kept`` each row lumps its own unseen
    alleles (two state spaces); with the union kept, one (and the same numbers)."""
    ped = grandparents()
    mk = marker("A", 7, None)
    first = {"c1": {"A": ("8", "9")}}
    second = {"c1": {"A": ("8", "10")}, "c2": {"A": ("11", "11")}}
    rows = genotype_rows([mk], first) + genotype_rows([mk], second)
    seen: list[frozenset[int]] = []
    real = likelihood.state_space

    def recording(m, info, observed, lump_wanted=True):
        seen.append(observed)
        return real(m, info, observed, lump_wanted)

    monkeypatch.setattr(likelihood, "state_space", recording)
    plain = log_likelihood_rows(ped, rows, theta=0.0, inbreeding={}, dropout={})
    assert sorted(map(sorted, seen)) == [[0, 1], [0, 2, 3]]
    kept = allele_indices([mk], [first["c1"], second["c1"], second["c2"]])
    assert kept == {"A": frozenset({0, 1, 2, 3})}
    seen.clear()
    shared = log_likelihood_rows(ped, rows, theta=0.0, inbreeding={}, dropout={}, kept=kept)
    assert seen == [frozenset({0, 1, 2, 3})] * 2
    np.testing.assert_allclose(shared, plain, rtol=0, atol=1e-12)
    # hand check of the first row: c1 = 8/9 with untyped parents and grandparents is a random
    # person of the population: 2 p(8) p(9), p = (1..7)/28
    assert shared[0] == pytest.approx(np.log(2 * (1 / 28) * (2 / 28)), abs=1e-12)


def test_allele_indices_skips_x_markers_and_unparsable_genotypes():
    a = marker("A", 4, None)
    x = Marker("X1", ("10", "11"), np.array([0.5, 0.5]), chromosome="X")
    tables = [{"A": ("8", "11"), "X1": ("10",)}, {"A": ("8", "99")}, {"A": ("9", None)}, {}]
    assert allele_indices([a, x], tables) == {"A": frozenset({0, 1, 3})}
