"""Random small SYNTHETIC datasets (gene dropping): solve() equals brute-force enumeration."""

from __future__ import annotations

import pytest

from homecoming.genetics.frequencies import load_database
from homecoming.genetics.markers import MutationSpec
from homecoming.identification import IdentificationConfig, solve
from homecoming.identification.dataset import sexes_compatible
from homecoming.identification.synthetic import synthetic_case

from .brute import assignment_loglik
from .test_examples_brute import allowed_from, check_against_brute


@pytest.fixture(scope="module")
def markers():
    db = load_database("nist1036_all")
    return db.markers(["D3S1358", "vWA", "FGA", "TH01", "D8S1179", "D21S11"],
                      mutation=MutationSpec("proportional", rate=0.005))


@pytest.mark.parametrize("seed", range(6))
def test_random_synthetic_with_exclusions(markers, seed):
    case = synthetic_case(markers, n_families=3, n_missing=5, n_victims=5, seed=seed)
    ds = case.dataset
    r = solve(ds, config=IdentificationConfig(top=5, max_incompatible=1))
    check_against_brute(ds, r, allowed_from(r, ds), 5)


@pytest.mark.parametrize("seed", range(4))
def test_random_synthetic_everything_allowed(markers, seed):
    """No exclusion and mutation on: every sex-consistent assignment has a positive likelihood."""
    case = synthetic_case(markers[:4], n_families=2, n_missing=4, n_victims=4, seed=100 + seed)
    ds = case.dataset
    r = solve(ds, config=IdentificationConfig(top=6, max_incompatible=None))
    allowed = {v.id: [m for f in ds.families for m in f.missing
                      if sexes_compatible(v.sex, f.sex_of(m))] for v in ds.victims}
    check_against_brute(ds, r, allowed, 6)


def test_truth_is_found_on_a_larger_synthetic_case():
    db = load_database("nist1036_all")
    mk = [m for m in db.markers(mutation=MutationSpec("proportional", rate=0.001))][:21]
    case = synthetic_case(mk, n_families=6, n_missing=10, n_victims=12, seed=7)
    r = solve(case.dataset)
    best = {v: m for v, m in r.best.assignment.items() if m}
    # with 21 STRs no unrelated victim is placed; a true victim may only be swapped with its
    # sibling in the same family (full siblings can be indistinguishable: a tie)
    wrong = {v: m for v, m in best.items() if case.truth.get(v) != m}
    ds = case.dataset
    for v, m in wrong.items():
        assert v in case.truth
        assert ds.family_of(m).name == ds.family_of(case.truth[v]).name
    fixed = {v.id: case.truth.get(v.id) if v.id in best else None for v in ds.victims}
    assert assignment_loglik(ds, fixed) == pytest.approx(r.best.loglik, abs=1e-6)
    assert len(best) >= len(case.truth) - 1
    for c in r.missing_conclusions:
        if c.conclusion.identified and c.conclusion.value != "symmetric match":
            assert case.truth.get(c.victim) == c.missing
