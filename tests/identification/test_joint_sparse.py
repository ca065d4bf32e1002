"""The sparse assignment solves of the joint search (large components) rank the same
assignment values as the dense ones, also with columns closed (victims used by a family with
several missing persons) and when no feasible assignment exists."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from homecoming.identification.joint import _Budget, _murty_ranked, _SparseGain


def _random_gain(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    gain = np.full((n, m + n), -np.inf)
    for i in range(n):
        k = int(rng.integers(0, min(m, 4) + 1))
        cols = rng.choice(m, k, replace=False)
        gain[i, cols] = np.round(rng.normal(0.0, 3.0, k), 1)   # rounded: ties happen
        gain[i, m + i] = 0.0                                    # "nobody"
    return gain


def _brute(gain: np.ndarray, col_open: np.ndarray) -> list[float]:
    n, ncol = gain.shape
    totals = []
    for cols in itertools.permutations(range(ncol), n):
        g = [gain[r, c] if col_open[c] else -math.inf for r, c in enumerate(cols)]
        if all(math.isfinite(x) for x in g):
            totals.append(sum(g))
    return sorted(totals, reverse=True)


@pytest.mark.parametrize("seed", range(12))
def test_sparse_ranking_equals_dense_and_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 5)), int(rng.integers(1, 4))
    gain = _random_gain(rng, n, m)
    col_open = np.ones(gain.shape[1], dtype=bool)
    if seed % 3 == 0:
        col_open[int(rng.integers(0, m))] = False               # a victim used elsewhere
    k = 8
    dense = [v for v, _ in itertools.islice(
        _murty_ranked(gain, _Budget(10_000), None, None if col_open.all() else col_open), k)]
    sparse = list(itertools.islice(
        _murty_ranked(gain, _Budget(10_000), _SparseGain(gain), col_open), k))
    expected = _brute(gain, col_open)[:k]
    assert [v for v, _ in sparse] == pytest.approx(expected, abs=1e-9)
    assert dense == pytest.approx(expected, abs=1e-9)
    for value, assignment in sparse:       # each ranked assignment is feasible and adds up
        assert len(set(assignment)) == n
        assert all(col_open[c] for c in assignment)
        assert sum(gain[r, c] for r, c in enumerate(assignment)) == pytest.approx(value)


def test_sparse_infeasible_gives_nothing() -> None:
    gain = np.full((2, 2), -np.inf)
    gain[0, 0] = 1.0
    gain[1, 0] = 2.0            # both rows need column 0
    assert list(_murty_ranked(gain, _Budget(100), _SparseGain(gain))) == []
