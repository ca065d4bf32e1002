"""The closed form for pedigrees whose every person is typed (a paternity trio) equals the
reference oracle (tests/reference), to 1e-9 in natural-log likelihood per marker; -inf must
match -inf. Random pedigrees with every person typed with a complete autosomal genotype, with
every mutation model of the engine-vs-oracle tests; and a hand-computed trio."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecoming.genetics.markers import Marker
from homecoming.kinship import likelihood as engine
from homecoming.kinship.likelihood import log_likelihood
from homecoming.pedigree import Pedigree, Person, Sex
from tests.kinship.test_engine_vs_reference import (
    assert_same,
    autosomal_marker,
    random_family,
)
from tests.reference.oracle import reference_log_likelihood


@st.composite
def all_typed_case(draw):
    persons = random_family(draw, 6)
    markers = [autosomal_marker(draw, f"M{k}") for k in range(draw(st.integers(1, 4)))]
    genotypes = {p.id: {m.name: (draw(st.sampled_from(m.alleles)),
                                 draw(st.sampled_from(m.alleles))) for m in markers}
                 for p in persons}
    return Pedigree(persons), markers, genotypes


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(all_typed_case())
def test_all_typed_closed_form_equals_oracle(case):
    ped, markers, genotypes = case
    oracle = reference_log_likelihood(ped, markers, genotypes)
    assert_same(log_likelihood(ped, markers, genotypes), oracle, repr(case))


def test_the_closed_form_is_what_a_typed_trio_uses(monkeypatch):
    """The trio goes through the closed form (not elimination), and gives the hand value."""
    ped = Pedigree([Person("F", sex=Sex.MALE), Person("M", sex=Sex.FEMALE),
                    Person("C", "F", "M", Sex.MALE)])
    marker = Marker("A", ("10", "11", "12"), (0.2, 0.3, 0.5))
    calls = []
    real = engine._all_typed
    monkeypatch.setattr(engine, "_all_typed", lambda *a: calls.append(1) or real(*a))
    gts = {"F": {"A": ("10", "12")}, "M": {"A": ("11", "11")}, "C": {"A": ("11", "12")}}
    got = log_likelihood(ped, [marker], gts)[0]
    assert calls
    # hand: P(F) = 2·0.2·0.5, P(M) = 0.3²; the child's 12 must come from the father (½),
    # its 11 from the mother (1)
    assert got == pytest.approx(math.log(2 * 0.2 * 0.5 * 0.3 ** 2 * 0.5), abs=1e-12)
