"""The GLR of a pairing of the best joint assignment (steps.glr) takes its numerator, the best
score with the pairing, from that assignment where the search proved it best: the results on
the dvir examples with several missing persons per family equal those with the numerator
solved again (to 1e-9, relative), and fewer component solves are made."""

from __future__ import annotations

import pytest

from homecoming.formats.dvi_dataset import load_dvi_dataset
from homecoming.identification import solver, steps
from tests.identification.test_exchangeable import _close, _comparable
from tests.paths import DVI_EXAMPLES


@pytest.mark.parametrize("name", ["grave", "icmp", "fire"])
def test_the_numerator_from_the_best_assignment_changes_nothing(name, monkeypatch):
    ds = load_dvi_dataset(DVI_EXAMPLES / f"{name}.json")
    solves: list[int] = []
    real = steps.JointOracle.best_with

    def counted(self, fi, extra):
        solves.append(fi)
        return real(self, fi, extra)

    monkeypatch.setattr(steps.JointOracle, "best_with", counted)
    shortcut = solver.solve(ds)
    fewer = len(solves)
    solves.clear()
    monkeypatch.setattr(steps.JointOracle, "best_is_proven", lambda self, fi: False)
    again = solver.solve(ds)
    _close(_comparable(shortcut), _comparable(again))
    assert any(c.glr is not None for c in again.missing_conclusions)
    assert fewer < len(solves)
