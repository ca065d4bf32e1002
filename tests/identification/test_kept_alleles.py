"""The joint stage keeps, per marker, the alleles of a family and of all its candidate victims
distinct in every sub-assignment of that family (``_Likelihoods.family_many(victims=)``,
``log_likelihood_rows(kept=)``): the solver's result on the dvir examples equals the result
without (to 1e-9, relative), and each marker then has one lumped state space in the family's
sub-assignments instead of one per set of observed alleles."""

from __future__ import annotations

import pytest

from homecoming.formats.dvi_dataset import load_dvi_dataset
from homecoming.identification import solver
from homecoming.kinship import likelihood
from tests.identification.test_exchangeable import _close, _comparable
from tests.paths import DVI_EXAMPLES


def _record_spaces(monkeypatch):
    """Per marker, the observed sets of the state spaces made in calls that keep alleles."""
    spaces: dict[str, set[frozenset[int]]] = {}
    keeping = [False]
    real_rows, real_space = likelihood.log_likelihood_rows, likelihood.state_space

    def rows(*args, kept=None, **kwargs):
        keeping[0] = kept is not None
        try:
            return real_rows(*args, kept=kept, **kwargs)
        finally:
            keeping[0] = False

    def space(marker, info, observed, lump_wanted=True):
        if keeping[0]:
            spaces.setdefault(marker.name, set()).add(observed)
        return real_space(marker, info, observed, lump_wanted)

    monkeypatch.setattr(likelihood, "log_likelihood_rows", rows)
    monkeypatch.setattr(likelihood, "state_space", space)
    return spaces


@pytest.mark.parametrize("name", ["icmp", "grave", "fire"])
def test_keeping_the_family_alleles_changes_no_result(name, monkeypatch):
    ds = load_dvi_dataset(DVI_EXAMPLES / f"{name}.json")
    spaces = _record_spaces(monkeypatch)
    kept = solver.solve(ds)
    assert spaces and all(len(observed) == 1 for observed in spaces.values()), spaces
    monkeypatch.setattr(likelihood, "allele_indices", lambda markers, tables: {})
    spaces.clear()
    plain = solver.solve(ds)
    assert sum(len(observed) for observed in spaces.values()) > len(ds.markers)
    _close(_comparable(kept), _comparable(plain))


def test_a_family_with_many_candidates_keeps_only_its_rows_alleles(monkeypatch):
    """Above ``KEPT_ALLELES_MAX_VICTIMS`` candidate victims, a family's sub-assignments lump
    each its own unseen alleles (no kept set is made): icmp's 5 candidates with the bound at 4."""
    ds = load_dvi_dataset(DVI_EXAMPLES / "icmp.json")
    made: list[int] = []
    real = likelihood.allele_indices

    def counting(markers, tables):
        made.append(len(tables))
        return real(markers, tables)

    monkeypatch.setattr(likelihood, "allele_indices", counting)
    solver.solve(ds)
    assert made == [6 + 5]     # the family's 6 references and its 5 candidate victims
    made.clear()
    monkeypatch.setattr(solver, "KEPT_ALLELES_MAX_VICTIMS", 4)
    solver.solve(ds)
    assert made == []
