"""Large elimination steps run per group of rows on fewer states (``_elimination._Ragged``):
the results equal the reference oracle (tests/reference) to 1e-9 in natural-log likelihood per
marker, -inf matching -inf, and equal the padded run. The steps are forced to run per group
(every step, one group per state count) so that small random pedigrees exercise the path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.kinship import _elimination
from homecoming.kinship.likelihood import log_likelihood
from homecoming.pedigree import Pedigree, Person, Sex
from tests.kinship.test_engine_vs_reference import assert_same, random_family
from tests.reference.oracle import reference_log_likelihood

LABELS = ("8", "9", "10", "11", "12", "13")


def marker(name: str, n_alleles: int, mutation: str | None) -> Marker:
    freqs = np.arange(1, n_alleles + 1, dtype=float)
    spec = (None if mutation is None else
            MutationSpec(mutation, rate=0.01, rate2=0.001, range=0.5) if mutation == "stepwise"
            else MutationSpec(mutation, rate=0.01))
    return Marker(name, LABELS[:n_alleles], freqs / freqs.sum(), mutation_female=spec,
                  mutation_male=spec)


@st.composite
def mixed_case(draw):
    """A random family, autosomal markers of 2 to 6 alleles (so that one batch holds rows of
    different state counts), some persons typed (some partially), optional drop-out."""
    persons = random_family(draw, 7, min_persons=3)
    mutation = draw(st.sampled_from([None, None, "equal", "proportional", "stepwise"]))
    markers = [marker(f"M{k}", draw(st.integers(2, 6)), mutation)
               for k in range(draw(st.integers(2, 5)))]
    genotypes: dict[str, dict[str, tuple]] = {}
    for p in persons:
        if draw(st.integers(0, 2)) == 0:
            continue
        genotypes[p.id] = {m.name: (draw(st.sampled_from(m.alleles)),
                                    draw(st.sampled_from(list(m.alleles) + [None])))
                           for m in markers}
    dropout = {pid: 0.2 for pid in genotypes if draw(st.integers(0, 5)) == 0}
    return Pedigree(persons), markers, genotypes, dropout or None


@pytest.fixture
def every_step_ragged(monkeypatch):
    monkeypatch.setattr(_elimination, "RAGGED_FROM", 0)
    monkeypatch.setattr(_elimination, "RAGGED_GROUP_COST", 0)
    calls = []
    real = _elimination._ragged_step

    def counted(*args):
        out = real(*args)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(_elimination, "_ragged_step", counted)
    return calls


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=mixed_case())
def test_ragged_steps_equal_the_oracle(case, every_step_ragged):
    ped, markers, genotypes, dropout = case
    oracle = reference_log_likelihood(ped, markers, genotypes, dropout=dropout)
    assert_same(log_likelihood(ped, markers, genotypes, dropout=dropout), oracle, repr(case))


def test_a_grandparent_case_runs_ragged_and_matches(every_step_ragged, monkeypatch):
    """Untyped grandparents and parents over typed grandchildren, markers of 3 to 6 alleles
    (no mutation, so alleles not seen are lumped: 3 to 6 states per row): the steps do run
    per group, and the result equals the padded run and the oracle."""
    ped = Pedigree([Person("gf", sex=Sex.MALE), Person("gm", sex=Sex.FEMALE),
                    Person("f", "gf", "gm", Sex.MALE), Person("m", sex=Sex.FEMALE),
                    Person("c1", "f", "m", Sex.MALE), Person("c2", "f", "m", Sex.FEMALE),
                    Person("u", "gf", "gm", Sex.MALE)])
    markers = [marker(name, n, None) for name, n in (("M3", 3), ("M4", 4), ("M5", 5),
                                                     ("M6", 6), ("M66", 6))]
    genotypes = {"c1": {"M3": ("8", "9"), "M4": ("8", "11"), "M5": ("9", "12"),
                        "M6": ("8", "13"), "M66": ("10", "13")},
                 "c2": {"M3": ("10", "9"), "M4": ("9", "10"), "M5": ("8", "12"),
                        "M6": ("11", "12"), "M66": ("10", "12")},
                 "u": {"M3": ("8", "8"), "M4": ("11", "11"), "M5": ("10", "12"),
                       "M6": ("9", "13"), "M66": ("8", "13")}}
    ragged = log_likelihood(ped, markers, genotypes)
    assert any(every_step_ragged)
    oracle = reference_log_likelihood(ped, markers, genotypes)
    assert_same(ragged, oracle, "grandparents")
    monkeypatch.setattr(_elimination, "RAGGED_FROM", 1 << 60)
    padded = log_likelihood(ped, markers, genotypes)
    np.testing.assert_allclose(ragged, padded, rtol=0, atol=1e-12)


def test_unsorted_rows_are_never_run_ragged(monkeypatch):
    """Groups are ranges of rows: rows not sorted by state count run padded."""
    assert _elimination._Ragged.make(np.array([5, 3, 4])) is None
    assert _elimination._Ragged.make(np.array([4, 4, 4])) is None      # nothing to gain
    ragged = _elimination._Ragged.make(np.array([3, 3, 4, 6, 6]))
    assert ragged is not None
    # zero group cost: one group per state count, each its range of rows
    monkeypatch.setattr(_elimination, "RAGGED_GROUP_COST", 0)
    groups = ragged.groups(1000, 3)
    assert groups is not None
    assert sorted((g.start, g.stop, kept) for g, kept in groups) == [(0, 2, 3), (2, 3, 4),
                                                                     (3, 5, 6)]
