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


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_founder_closed_form_equals_the_engine(data):
    """``founder_log_likelihood``: one person with two known alleles per autosomal marker
    (no silent allele) gives the engine's one-person value exactly; an X marker, a silent
    allele or a partial genotype gives None."""
    import numpy as np

    from homecoming.kinship.likelihood import founder_log_likelihood

    labels = ("9", "10", "11", "12", "13")
    markers = []
    for k in range(data.draw(st.integers(1, 4))):
        n = data.draw(st.integers(1, 5))
        weights = data.draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
        markers.append(Marker(f"M{k}", labels[:n], np.array(weights) / sum(weights)))
    genotypes = {m.name: (data.draw(st.sampled_from(m.alleles)),
                          data.draw(st.sampled_from(m.alleles))) for m in markers}
    person = Pedigree([Person("p", sex=Sex.FEMALE)])
    got = founder_log_likelihood(markers, genotypes)
    assert got is not None
    assert got.tolist() == log_likelihood(person, markers, {"p": genotypes}).tolist()
    partial = dict(genotypes)
    partial[markers[0].name] = (markers[0].alleles[0], None)
    assert founder_log_likelihood(markers, partial) is None
    silent = [Marker(m.name, m.alleles, np.asarray(m.frequencies) * 0.9, silent_frequency=0.1)
              for m in markers]
    assert founder_log_likelihood(silent, genotypes) is None
    x = [Marker(m.name, m.alleles, m.frequencies, chromosome="X") for m in markers]
    assert founder_log_likelihood(x, genotypes) is None
