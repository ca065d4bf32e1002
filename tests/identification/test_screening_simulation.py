"""Gene dropping (homecoming.simulation): reproducibility, frequencies, Mendel, mutation."""

from __future__ import annotations

import numpy as np
import pytest

from homecoming import simulation as sim
from homecoming.errors import InputError
from homecoming.genetics.markers import Marker
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

FREQS = [0.1, 0.2, 0.3, 0.4]


def _markers(n=5):
    return [Marker(f"M{k}", ("10", "11", "12", "13"), np.array(FREQS)) for k in range(n)]


def _trio_sibs():
    return Pedigree([
        Person("FA", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE),
        Person("C1", "FA", "MO", Sex.MALE), Person("C2", "FA", "MO", Sex.FEMALE),
    ])


def test_same_seed_same_result_and_different_seed_differs():
    ped, markers = _trio_sibs(), _markers()
    a = sim.drop_alleles(ped, markers, 200, seed=7)
    b = sim.drop_alleles(ped, markers, 200, seed=7)
    c = sim.drop_alleles(ped, markers, 200, seed=8)
    for pid in ped.ids:
        np.testing.assert_array_equal(a[pid], b[pid])
    assert any(not np.array_equal(a[p], c[p]) for p in ped.ids)


def test_founder_allele_frequencies_match_within_sampling_error():
    markers = _markers(3)
    f = sim.simulate_founders(markers, 20000, seed=1)
    assert f.shape == (20000, 3, 2)
    for k in range(3):
        counts = np.bincount(f[:, k, :].ravel(), minlength=4) / 40000
        # sd <= sqrt(.25/40000) = 0.0025: 0.015 is 6 sd
        np.testing.assert_allclose(counts, FREQS, atol=0.015)


def test_children_are_mendelian_consistent_without_mutation():
    ped, markers = _trio_sibs(), _markers()
    g = sim.drop_alleles(ped, markers, 5000, seed=3)
    fa, mo = g["FA"], g["MO"]
    for child in ("C1", "C2"):
        c = g[child]
        assert np.all((c[:, :, 0] == fa[:, :, 0]) | (c[:, :, 0] == fa[:, :, 1]))
        assert np.all((c[:, :, 1] == mo[:, :, 0]) | (c[:, :, 1] == mo[:, :, 1]))
    # the paternal alleles of two full siblings are identical by descent with probability 1/2,
    # otherwise equal by state with probability sum p^2 = 0.30: 0.5 + 0.5 * 0.30 = 0.65
    same = np.mean(g["C1"][:, :, 0] == g["C2"][:, :, 0])
    assert abs(same - 0.65) < 0.02  # sd = sqrt(.65*.35/25000) = 0.003


def test_mutation_with_custom_transmission_matrix_changes_alleles_at_the_given_rate():
    ped, markers = _trio_sibs(), _markers(2)
    rate = 0.2
    mat = np.full((4, 4), rate / 3)
    np.fill_diagonal(mat, 1 - rate)
    eye = np.eye(4)
    markers = [Marker(m.name, m.alleles, m.frequencies,
                      mutation_female=None, mutation_male=None) for m in markers]
    g = sim.drop_alleles(ped, markers, 20000, seed=5, mutation=True,
                         transmission=lambda m: (eye, mat))
    # transmission only used when a marker has a mutation model: with none, Mendel holds
    assert np.all((g["C1"][:, :, 0] == g["FA"][:, :, 0]) | (g["C1"][:, :, 0] == g["FA"][:, :, 1]))
    from homecoming.genetics.markers import MutationSpec
    spec = MutationSpec("equal", rate=rate)
    markers = [Marker(m.name, m.alleles, m.frequencies, mutation_female=spec,
                      mutation_male=spec) for m in markers]
    g = sim.drop_alleles(ped, markers, 20000, seed=5, transmission=lambda m: (eye, mat))
    fa, mo, c = g["FA"], g["MO"], g["C1"]
    # paternal allele: P(not one of the father's alleles) = rate/3 * (#alleles outside his genotype)
    outside = ~((c[:, :, 0] == fa[:, :, 0]) | (c[:, :, 0] == fa[:, :, 1]))
    het = fa[:, :, 0] != fa[:, :, 1]
    expected = np.where(het, 2 * rate / 3, 3 * rate / 3).mean()
    assert abs(outside.mean() - expected) < 0.01
    # maternal side transmits with the identity: always Mendelian
    assert np.all((c[:, :, 1] == mo[:, :, 0]) | (c[:, :, 1] == mo[:, :, 1]))


def test_founders_from_real_genotypes_are_resampled_rows():
    markers = _markers(3)
    real = sim.simulate_founders(markers, 10, seed=2)
    got = sim.founders_from_genotypes(markers, real, 500, seed=4)
    real_sets = {tuple(sorted(map(tuple, np.sort(r, axis=1).tolist()))) for r in real}
    for row in got:
        assert tuple(sorted(map(tuple, np.sort(row, axis=1).tolist()))) in real_sets
    with pytest.raises(InputError):
        sim.founders_from_genotypes(markers, real, 11, seed=4, replace=False)


def test_profiles_round_trip_and_partial_masking():
    markers = _markers(3)
    arr = sim.simulate_founders(markers, 50, seed=9)
    profiles = sim.to_profiles(markers, arr)
    back = sim.encode_genotypes(markers, profiles)
    np.testing.assert_array_equal(np.sort(back, axis=2), np.sort(arr, axis=2))
    masked = sim.mask_loci(arr, 0.5, seed=1)
    profiles = sim.to_profiles(markers, masked)
    n_typed = sum(len(p) for p in profiles)
    assert n_typed == int((masked[:, :, 0] >= 0).sum())
    assert 40 < n_typed < 110  # 150 loci kept with probability 1/2


def test_x_markers_are_refused():
    m = Marker("DXS1", ("1", "2"), np.array([0.5, 0.5]), chromosome="X")
    with pytest.raises(InputError, match="autosomal"):
        sim.simulate_founders([m], 3, seed=1)


def test_genotype_codes_equal_the_pairwise_model_encoding():
    from homecoming.kinship import pairwise as pw
    markers = _markers(4)
    arr = sim.mask_loci(sim.simulate_founders(markers, 300, seed=12), 0.8, seed=2)
    arr[5, 1, 1] = -1  # partial genotype: unusable for pairwise screening
    model = pw.PairwiseModel(markers, "direct")
    want = model.encode(sim.to_profiles(markers, arr))
    np.testing.assert_array_equal(sim.genotype_codes(arr, markers), want)
    assert want[5, 1] == -1 and (want == -1).sum() > 100
