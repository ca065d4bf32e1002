"""Mutation matrices: each model against hand-computed entries (pedmut definitions)."""

import numpy as np
import pytest

from homecoming.errors import MutationModelError
from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.genetics.mutation import mutation_matrix, transmission_matrices


def test_identity_without_model():
    assert np.array_equal(mutation_matrix(None, ["1", "2", "3"], np.array([.2, .3, .5])), np.eye(3))


def test_equal():
    m = mutation_matrix(MutationSpec("equal", rate=0.03), ["1", "2", "3", "4"], np.full(4, .25))
    assert m[0, 0] == pytest.approx(0.97, abs=1e-15)
    assert m[2, 1] == pytest.approx(0.01, abs=1e-15)


def test_proportional_expected_rate_is_rate():
    p = np.array([.1, .2, .3, .4])
    m = mutation_matrix(MutationSpec("proportional", rate=0.005), list("abcd"), p)
    alpha = 0.005 / (1 - np.sum(p ** 2))
    assert m[0, 1] == pytest.approx(alpha * 0.2, abs=1e-15)
    assert m[3, 3] == pytest.approx(1 - alpha + alpha * 0.4, abs=1e-15)
    # expected mutation probability sum_i p_i (1 - M_ii) equals the rate
    assert float(np.sum(p * (1 - np.diag(m)))) == pytest.approx(0.005, abs=1e-15)


def test_proportional_alpha_above_one_is_refused():
    with pytest.raises(MutationModelError, match="alpha"):
        mutation_matrix(MutationSpec("proportional", rate=0.5), ["1", "2"], np.array([.3, .7]))


def test_stepwise_pedmut_example():
    # pedmut: alleles 16, 16.1, 17, 17.1, 18; rate .003, rate2 .001, range .5
    m = mutation_matrix(MutationSpec("stepwise", rate=0.003, rate2=0.001, range=0.5),
                        ["16", "16.1", "17", "17.1", "18"], np.full(5, .2))
    assert m[0, 0] == pytest.approx(0.996, abs=1e-15)
    assert m[0, 2] == pytest.approx(0.003 * (2 / 3), abs=1e-15)   # one step
    assert m[0, 4] == pytest.approx(0.003 * (1 / 3), abs=1e-15)   # two steps, range .5
    assert m[0, 1] == pytest.approx(0.0005, abs=1e-15)            # to a microvariant, rate2/2
    assert m[1, 3] == pytest.approx(0.003, abs=1e-15)             # 16.1 -> 17.1 (same group)
    assert m[1, 0] == pytest.approx(0.001 / 3, abs=1e-15)


def test_stepwise_groups_tolerate_float_noise():
    m = mutation_matrix(MutationSpec("stepwise", rate=0.01, rate2=0.0, range=1.0),
                        ["9.3", "10.3"], np.array([.5, .5]))
    assert m[0, 1] == pytest.approx(0.01, abs=1e-15)


def test_onestep_ends_and_gaps():
    m = mutation_matrix(MutationSpec("onestep", rate=0.01), ["10", "11", "12", "14"],
                        np.full(4, .25))
    assert m[0, 1] == pytest.approx(0.01) and m[0, 0] == pytest.approx(0.99)
    assert m[1, 0] == pytest.approx(0.005) and m[1, 2] == pytest.approx(0.005)
    assert m[3, 3] == 1.0


def test_custom_matrix_rows_must_sum_to_one():
    with pytest.raises(MutationModelError, match=r"marker 'TH01'.*row 1 sums to 0\.9"):
        mutation_matrix(MutationSpec("custom", matrix=((1.0, 0.0), (0.1, 0.8))), ["1", "2"],
                        np.array([.5, .5]), marker="TH01")


def test_named_model_with_matrix_uses_matrix():
    m = mutation_matrix(MutationSpec("equal", rate=0.5, matrix=((0.9, 0.1), (0.2, 0.8))),
                        ["1", "2"], np.array([.5, .5]))
    assert m[1, 0] == 0.2


def test_transmission_matrices_sex_specific_and_silent():
    mk = Marker("L", ("1", "2"), np.array([.3, .6]), silent_frequency=0.1,
                mutation_female=MutationSpec("equal", rate=0.01),
                mutation_male=MutationSpec("equal", rate=0.02))
    f, m = transmission_matrices(mk)
    assert f.shape == (3, 3) and f[0, 1] == pytest.approx(0.01) and m[0, 1] == pytest.approx(0.02)
    assert f[2, 2] == 1.0 and f[0, 2] == 0.0
    assert transmission_matrices(mk)[0] is f


def test_stepwise_needs_numeric_alleles():
    with pytest.raises(MutationModelError, match="'X'"):
        mutation_matrix(MutationSpec("stepwise", rate=.01, rate2=0, range=1), ["X", "2"],
                        np.array([.5, .5]))
